"""Functional checks over the API: ``GET|POST /api/v1/tickets/{number}/checks/`` and
``PATCH /api/v1/tickets/{number}/checks/{check_id}/``.

Whoever may read the ticket lists its checks; when its handler lists them while it is being
worked on, the category's missing default checks are put on first (as the work view does),
so every check has an ``id`` to ``PATCH``. ``POST`` adds a check of the engineer's own
(``label``); ``PATCH`` records a result (``passed``, ``failed``, ``na``) with its ``note``
(required for failed and not applicable). A ticket with a failed or unrecorded check is not
resolved: ``POST …/resolve/`` answers 400 naming ``solution`` with the reason.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from fieldwork.choices import CheckResult
from fieldwork.models import FunctionalCheck
from fieldwork.services import checks as service
from tickets import selectors
from tickets.api.serializers import Body, PersonSerializer
from tickets.limits import max_length
from tickets.models import Ticket

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket (or not yours to see), or no such check."),
    409: OpenApiResponse(description="Not allowed in the ticket's current state."),
}


class CheckSerializer(serializers.ModelSerializer[FunctionalCheck]):
    label_shown = serializers.SerializerMethodField(
        help_text="The label in the caller's language (a default check has both)."
    )
    checked_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FunctionalCheck
        fields = ["id", "label", "label_shown", "result", "note", "checked_by", "checked_at"]
        read_only_fields = fields

    def get_label_shown(self, obj: FunctionalCheck) -> str:
        shown: dict[int, str] = self.context.get("labels", {})
        return shown.get(obj.pk, obj.label)


class CheckAddSerializer(Body):
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=max_length(FunctionalCheck, "label"), help_text="What to try, on one line."
    )


class CheckRecordSerializer(Body):
    result = serializers.ChoiceField(
        choices=[c for c in CheckResult.choices if c[0]],
        help_text="passed, failed or na (not applicable).",
    )
    note = serializers.CharField(
        max_length=max_length(FunctionalCheck, "note"),
        required=False,
        allow_blank=True,
        help_text="Required when the check failed or does not apply.",
    )


class _TicketScoped(generics.GenericAPIView[FunctionalCheck]):
    serializer_class = CheckSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = FunctionalCheck.objects.none()

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def _ticket(self, number: str) -> Ticket:
        return selectors.get_ticket_for(self._user(), number)

    def _shown(self, checks: list[FunctionalCheck]) -> dict[str, Any]:
        return {"labels": service.shown_labels(checks)}


class TicketChecksView(_TicketScoped):
    """The ticket's checks, in order; POST adds one (the handler, while it is worked on)."""

    @extend_schema(responses={200: CheckSerializer(many=True), 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = self._ticket(number)
        if service.may_record(ticket, user):
            checks = service.ensure_checks(ticket.pk, actor=user)
        else:
            checks = service.checks_of(ticket)
        return Response(CheckSerializer(checks, many=True, context=self._shown(checks)).data)

    @extend_schema(request=CheckAddSerializer, responses={201: CheckSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = self._ticket(number)
        body = CheckAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check = service.add_check(ticket.pk, actor=user, label=body.validated_data["label"])
        return Response(
            CheckSerializer(check, context=self._shown([check])).data,
            status=status.HTTP_201_CREATED,
        )


class TicketCheckView(_TicketScoped):
    """One check: PATCH records its result and note."""

    @extend_schema(request=CheckRecordSerializer, responses={200: CheckSerializer, **_ERRORS})
    def patch(self, request: Request, number: str, check_id: int) -> Response:
        user = self._user()
        ticket = self._ticket(number)
        body = CheckRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check = service.record_check(ticket.pk, check_id, actor=user, **body.validated_data)
        return Response(CheckSerializer(check, context=self._shown([check])).data)

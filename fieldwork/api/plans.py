"""The plan over the API: ``GET|PUT /api/v1/tickets/{number}/plan/`` and
``POST /api/v1/tickets/{number}/plan/confirm/``.

Whoever may read the ticket reads its plan (the requester sees it on their page); the
evidence — logs, when the fault was triggered, the related operation — only staff who read
internal notes. ``PUT`` records or replaces the plan (the handler, while the ticket is being
worked on: every field as given, a missing one cleared); a new or moved window needs the
requester's confirmation again. ``confirm/`` is the requester's, nobody else's (403).
Errors as everywhere in the API: 404 not visible, 403 not allowed, 409 wrong state, 400
naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from fieldwork.choices import PlanApproach
from fieldwork.models import WorkPlan
from fieldwork.services import plans as service
from tickets import selectors
from tickets.api.serializers import Body, PersonSerializer
from tickets.limits import max_length
from tickets.models import Ticket

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket, or not yours to see."),
    409: OpenApiResponse(description="Not allowed now (the ticket's state, or the window's)."),
}


class MomentField(serializers.DateTimeField):
    """A date and time; a naive one is read in the caller's zone. A time that does not
    exist in UTC (near the year 1 or 9999) is a 400, not a 500."""

    default_error_messages = {"out_of_range": gettext_lazy("Give a date and time.")}

    def to_internal_value(self, value: dt.datetime | str) -> dt.datetime:
        try:
            parsed = super().to_internal_value(value)
            parsed.astimezone(dt.UTC)
        except OverflowError:
            self.fail("out_of_range")
        return parsed


class PlanSerializer(serializers.Serializer[WorkPlan]):
    """The plan as the caller may read it; ``recorded`` is false (and the fields empty)
    while the ticket has no plan. The evidence fields are left out for requesters."""

    recorded = serializers.BooleanField()
    approach = serializers.ChoiceField(
        choices=PlanApproach.choices,
        allow_blank=True,
        help_text="Least invasive first: restart, rollback, replacement, other.",
    )
    risk = serializers.CharField()
    window_start = serializers.DateTimeField(allow_null=True)
    window_end = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(
        choices=service.PlanStatus.choices,
        allow_blank=True,
        help_text="no_window, awaiting_confirmation (by the requester) or confirmed.",
    )
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by = PersonSerializer(allow_null=True)
    fault_triggered_at = serializers.DateTimeField(
        allow_null=True, required=False, help_text="Staff only."
    )
    related_operation = serializers.CharField(required=False, help_text="Staff only.")
    log_references = serializers.CharField(required=False, help_text="Staff only.")
    log_attachments = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the ticket's attachments picked as logs (staff only).",
    )
    created_by = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


def plan_data(plan: WorkPlan | None, viewer: User) -> dict[str, Any]:
    """The plan's fields for ``viewer`` (``recorded: false`` and empty fields without one)."""
    moment = serializers.DateTimeField()  # ISO 8601 in the caller's zone, as everywhere

    def when(value: dt.datetime | None) -> str | None:
        return moment.to_representation(value) if value is not None else None

    def person(user: User | None) -> dict[str, Any] | None:
        return dict(PersonSerializer(user).data) if user is not None else None

    if plan is None:
        data: dict[str, Any] = {
            "recorded": False,
            "approach": "",
            "risk": "",
            "window_start": None,
            "window_end": None,
            "status": "",
            "confirmed_at": None,
            "confirmed_by": None,
            "created_by": None,
            "created_at": None,
            "updated_at": None,
        }
        evidence: dict[str, Any] = {
            "fault_triggered_at": None,
            "related_operation": "",
            "log_references": "",
            "log_attachments": [],
        }
    else:
        data = {
            "recorded": True,
            "approach": plan.approach,
            "risk": plan.risk,
            "window_start": when(plan.window_start),
            "window_end": when(plan.window_end),
            "status": service.status_of(plan),
            "confirmed_at": when(plan.confirmed_at),
            "confirmed_by": person(plan.confirmed_by),
            "created_by": person(plan.created_by),
            "created_at": when(plan.created_at),
            "updated_at": when(plan.updated_at),
        }
        evidence = {
            "fault_triggered_at": when(plan.fault_triggered_at),
            "related_operation": plan.related_operation,
            "log_references": plan.log_references,
            "log_attachments": [a.pk for a in service.log_files(plan, viewer)],
        }
    if service.visible_fields(viewer):
        data.update(evidence)
    return data


class PlanWriteSerializer(Body):
    approach = serializers.ChoiceField(
        choices=PlanApproach.choices,
        help_text="Least invasive first: restart, rollback, replacement, other.",
    )
    risk = serializers.CharField(
        max_length=max_length(WorkPlan, "risk"), required=False, allow_blank=True
    )
    window_start = MomentField(
        required=False, allow_null=True, help_text="Must be in the future (for a new window)."
    )
    window_end = MomentField(required=False, allow_null=True, help_text="After window_start.")
    fault_triggered_at = MomentField(required=False, allow_null=True)
    related_operation = serializers.CharField(
        max_length=max_length(WorkPlan, "related_operation"), required=False, allow_blank=True
    )
    log_references = serializers.CharField(
        max_length=max_length(WorkPlan, "log_references"),
        required=False,
        allow_blank=True,
        trim_whitespace=False,
    )
    log_attachments = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=service.MAX_LOG_ATTACHMENTS,
        help_text="Ids of this ticket's attachments that hold the logs.",
    )


class _TicketScoped(generics.GenericAPIView[WorkPlan]):
    serializer_class = PlanSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = WorkPlan.objects.none()

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def _ticket(self, number: str) -> Ticket:
        return selectors.get_ticket_for(self._user(), number)


class TicketPlanView(_TicketScoped):
    """The ticket's plan; PUT records or replaces it (the handler)."""

    @extend_schema(responses={200: PlanSerializer, 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = self._ticket(number)
        return Response(plan_data(service.plan_of(ticket), user))

    @extend_schema(
        request=PlanWriteSerializer,
        responses={200: PlanSerializer, 201: PlanSerializer, **_ERRORS},
    )
    def put(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = self._ticket(number)
        body = PlanWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        existed = service.plan_of(ticket) is not None
        service.record_plan(ticket.pk, actor=user, **body.validated_data)
        return Response(
            plan_data(service.plan_of(ticket), user),
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class PlanConfirmView(_TicketScoped):
    """The requester confirms the proposed operation window (409: no window yet, already
    confirmed, or already passed)."""

    @extend_schema(request=None, responses={200: PlanSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = self._ticket(number)
        service.confirm_window(ticket.pk, actor=user)
        return Response(plan_data(service.plan_of(ticket), user))

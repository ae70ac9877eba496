"""Remote-session consent over the API.

``GET|POST /api/v1/tickets/{number}/consents/``: whoever may read the ticket lists them;
the engineer handling it asks (``tool``, ``purpose``, ``duration_minutes``).
``POST …/consents/{consent_id}/grant/``, ``…/refuse/`` (optional ``reason``) and
``…/revoke/``: the ticket's requester alone (anyone else who may see the ticket gets 403,
another requester 404). No body field sets a consent's state or times: a grant's
``granted_at`` and ``expires_at`` come from the clock when the requester grants.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from fieldwork import selectors_worklog as selectors
from fieldwork.choices import ConsentStatus
from fieldwork.models import RemoteConsent
from fieldwork.services import consents as service
from tickets import selectors as ticket_selectors
from tickets.limits import max_length

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket or consent, or not yours to see."),
    409: OpenApiResponse(description="Not allowed in the ticket's or the consent's state."),
}


class ConsentSerializer(serializers.ModelSerializer[RemoteConsent]):
    status = serializers.SerializerMethodField(
        help_text="requested, granted, refused, revoked, or expired once expires_at has passed."
    )
    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    answered_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = RemoteConsent
        fields = [
            "id",
            "tool",
            "purpose",
            "duration_minutes",
            "status",
            "requested_by",
            "requested_at",
            "answered_by",
            "answered_at",
            "refusal_reason",
            "granted_at",
            "expires_at",
            "revoked_at",
        ]
        read_only_fields = fields

    def get_status(self, obj: RemoteConsent) -> ConsentStatus:
        return ConsentStatus(obj.status)


class ConsentRequestSerializer(serializers.Serializer[None]):
    """What an engineer asks for; nothing else is read from the body."""

    tool = serializers.CharField(
        max_length=max_length(RemoteConsent, "tool"),
        help_text="The remote tool, e.g. TeamViewer or the company's own.",
    )
    purpose = serializers.CharField(
        max_length=max_length(RemoteConsent, "purpose"), help_text="What the session is for."
    )
    duration_minutes = serializers.IntegerField(
        min_value=service.DURATION_MIN,
        max_value=service.DURATION_MAX,
        help_text="How long the grant lasts once given (5–480 minutes).",
    )


class RefuseSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=max_length(RemoteConsent, "refusal_reason"),
        help_text="Optional: why not (now).",
    )


class _TicketScoped(generics.GenericAPIView[RemoteConsent]):
    serializer_class = ConsentSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = RemoteConsent.objects.none()

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def _answer(self, consent: RemoteConsent, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.consents_on(consent.ticket).get(pk=consent.pk)
        return Response(ConsentSerializer(fresh).data, status=code)


class TicketConsentsView(_TicketScoped):
    """The ticket's remote-session consents, newest first; POST asks for one."""

    @extend_schema(responses={200: ConsentSerializer(many=True), 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        ticket = ticket_selectors.get_ticket_for(self._user(), number)
        return Response(ConsentSerializer(selectors.consents_on(ticket), many=True).data)

    @extend_schema(
        request=ConsentRequestSerializer,
        responses={201: ConsentSerializer, **_ERRORS},
        summary="Ask the requester for a remote session (the engineer handling the ticket)",
    )
    def post(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = ticket_selectors.get_ticket_for(user, number)
        body = ConsentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = service.request_consent(ticket.pk, actor=user, **body.validated_data)
        return self._answer(consent, status.HTTP_201_CREATED)


class ConsentGrantView(_TicketScoped):
    @extend_schema(
        request=None,
        responses={200: ConsentSerializer, **_ERRORS},
        summary="Grant a remote session (the ticket's requester)",
    )
    def post(self, request: Request, number: str, consent_id: int) -> Response:
        user = self._user()
        ticket = ticket_selectors.get_ticket_for(user, number)
        return self._answer(service.grant_consent(ticket.pk, consent_id, actor=user))


class ConsentRefuseView(_TicketScoped):
    @extend_schema(
        request=RefuseSerializer,
        responses={200: ConsentSerializer, **_ERRORS},
        summary="Refuse a remote session (the ticket's requester)",
    )
    def post(self, request: Request, number: str, consent_id: int) -> Response:
        user = self._user()
        ticket = ticket_selectors.get_ticket_for(user, number)
        body = RefuseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = service.refuse_consent(
            ticket.pk, consent_id, actor=user, reason=body.validated_data.get("reason", "")
        )
        return self._answer(consent)


class ConsentRevokeView(_TicketScoped):
    @extend_schema(
        request=None,
        responses={200: ConsentSerializer, **_ERRORS},
        summary="Stop a granted remote session now (the ticket's requester)",
    )
    def post(self, request: Request, number: str, consent_id: int) -> Response:
        user = self._user()
        ticket = ticket_selectors.get_ticket_for(user, number)
        return self._answer(service.revoke_consent(ticket.pk, consent_id, actor=user))

"""On-site visits over the API, and the ticket's device.

``GET|POST /api/v1/tickets/{number}/visits/``: whoever may read the ticket lists its
visits; the engineer handling it schedules one (``scheduled_at``, ``bring``).
``POST …/visits/{visit_id}/confirm/`` and ``…/propose/`` (``proposed_at``, ``note``): the
ticket's requester alone (anyone else who may see the ticket gets 403, another requester
404). ``…/reschedule/`` (``scheduled_at``; empty accepts the requester's proposal),
``…/cancel/`` (``reason``) and ``…/complete/`` (``work_done``, ``site_cleaned``,
``indicator_lights``, ``physical_damage``, ``parts_used``): the engineer handling the ticket
or the visit's engineer. ``POST /api/v1/tickets/{number}/asset/`` (``asset``: a tag, or
empty for none): an engineer sets the ticket's device. No body field sets a visit's state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from fieldwork import selectors_visits as selectors
from fieldwork.models import SiteVisit
from fieldwork.services import devices
from fieldwork.services import visits as service
from tickets import selectors as ticket_selectors
from tickets.limits import max_length
from tickets.models import Ticket

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket or visit, or not yours to see."),
    409: OpenApiResponse(description="Not allowed in the ticket's or the visit's state."),
}


class VisitSerializer(serializers.ModelSerializer[SiteVisit]):
    engineer: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    engineer_name = serializers.CharField(source="engineer.name", read_only=True)

    class Meta:
        model = SiteVisit
        fields = [
            "id",
            "state",
            "scheduled_at",
            "engineer",
            "engineer_name",
            "bring",
            "proposed_at",
            "proposal_note",
            "confirmed_at",
            "created_at",
            "indicator_lights",
            "physical_damage",
            "work_done",
            "parts_used",
            "site_cleaned",
            "completed_at",
        ]
        read_only_fields = fields


class VisitTimeField(serializers.DateTimeField):
    """A moment the database can store: one whose UTC value falls outside the calendar
    (``0001-01-01T00:00:00`` in Shanghai is in the year 0 in UTC) answers 400, not 500."""

    default_error_messages = {"out_of_range": _("Choose a time within the next year.")}

    def to_internal_value(self, value: dt.datetime | str) -> dt.datetime:
        try:
            parsed = super().to_internal_value(value)  # DRF's time-zone check can overflow
            parsed.astimezone(dt.UTC)
        except OverflowError:
            self.fail("out_of_range")
        return parsed


class ScheduleSerializer(serializers.Serializer[None]):
    scheduled_at = VisitTimeField(
        help_text="The time agreed with the requester (ISO 8601; in the future)."
    )
    bring = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=max_length(SiteVisit, "bring"),
        help_text="Parts and tools to bring.",
    )


class ProposeSerializer(serializers.Serializer[None]):
    proposed_at = VisitTimeField(help_text="A time that suits the requester.")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(SiteVisit, "proposal_note")
    )


class RescheduleSerializer(serializers.Serializer[None]):
    scheduled_at = VisitTimeField(
        required=False,
        allow_null=True,
        help_text="The new time; leave it out to accept the time the requester proposed.",
    )


class CancelSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(SiteVisit, "proposal_note")
    )


class CompleteSerializer(serializers.Serializer[None]):
    work_done = serializers.CharField(max_length=max_length(SiteVisit, "work_done"))
    site_cleaned = serializers.BooleanField(help_text="Whether the site was left clean.")
    indicator_lights = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(SiteVisit, "indicator_lights")
    )
    physical_damage = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(SiteVisit, "physical_damage")
    )
    parts_used = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(SiteVisit, "parts_used")
    )


class DeviceSerializer(serializers.Serializer[None]):
    asset = serializers.CharField(
        allow_blank=True, allow_null=True, max_length=32, help_text="An asset tag, or empty."
    )


class DeviceAnswerSerializer(serializers.Serializer[None]):
    number = serializers.CharField()
    asset = serializers.CharField(allow_null=True)


class _TicketScoped(generics.GenericAPIView[SiteVisit]):
    serializer_class = VisitSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = SiteVisit.objects.none()

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def _ticket(self, number: str) -> Ticket:
        return ticket_selectors.get_ticket_for(self._user(), number)

    def _body(self, serializer: type[serializers.Serializer[None]]) -> dict[str, Any]:
        body = serializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _visit(self, ticket: Ticket, visit: SiteVisit, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.visits_on(ticket).get(pk=visit.pk)
        return Response(VisitSerializer(fresh).data, status=code)


class TicketVisitsView(_TicketScoped):
    """The ticket's visits (whoever may read it); POST schedules one (its handler)."""

    @extend_schema(responses={200: VisitSerializer(many=True), 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        ticket = self._ticket(number)
        return Response(VisitSerializer(selectors.visits_on(ticket), many=True).data)

    @extend_schema(request=ScheduleSerializer, responses={201: VisitSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        ticket = self._ticket(number)
        data = self._body(ScheduleSerializer)
        visit = service.schedule_visit(ticket.pk, actor=self._user(), **data)
        return self._visit(ticket, visit, status.HTTP_201_CREATED)


class VisitConfirmView(_TicketScoped):
    """The requester confirms the visit's time."""

    @extend_schema(request=None, responses={200: VisitSerializer, **_ERRORS})
    def post(self, request: Request, number: str, visit_id: int) -> Response:
        ticket = self._ticket(number)
        visit = service.confirm_visit(ticket.pk, visit_id, actor=self._user())
        return self._visit(ticket, visit)


class VisitProposeView(_TicketScoped):
    """The requester proposes another time, with a note."""

    @extend_schema(request=ProposeSerializer, responses={200: VisitSerializer, **_ERRORS})
    def post(self, request: Request, number: str, visit_id: int) -> Response:
        ticket = self._ticket(number)
        data = self._body(ProposeSerializer)
        visit = service.propose_visit_time(ticket.pk, visit_id, actor=self._user(), **data)
        return self._visit(ticket, visit)


class VisitRescheduleView(_TicketScoped):
    """The engineer accepts the proposed time (no ``scheduled_at``) or sets another."""

    @extend_schema(request=RescheduleSerializer, responses={200: VisitSerializer, **_ERRORS})
    def post(self, request: Request, number: str, visit_id: int) -> Response:
        ticket = self._ticket(number)
        data = self._body(RescheduleSerializer)
        visit = service.reschedule_visit(
            ticket.pk, visit_id, actor=self._user(), scheduled_at=data.get("scheduled_at")
        )
        return self._visit(ticket, visit)


class VisitCancelView(_TicketScoped):
    @extend_schema(request=CancelSerializer, responses={200: VisitSerializer, **_ERRORS})
    def post(self, request: Request, number: str, visit_id: int) -> Response:
        ticket = self._ticket(number)
        data = self._body(CancelSerializer)
        visit = service.cancel_visit(ticket.pk, visit_id, actor=self._user(), **data)
        return self._visit(ticket, visit)


class VisitCompleteView(_TicketScoped):
    """What was found and done on site (R4.2)."""

    @extend_schema(request=CompleteSerializer, responses={200: VisitSerializer, **_ERRORS})
    def post(self, request: Request, number: str, visit_id: int) -> Response:
        ticket = self._ticket(number)
        data = self._body(CompleteSerializer)
        visit = service.complete_visit(ticket.pk, visit_id, actor=self._user(), **data)
        return self._visit(ticket, visit)


class TicketDeviceView(_TicketScoped):
    """An engineer sets the device the ticket is about (``asset``: a tag, empty for none)."""

    @extend_schema(request=DeviceSerializer, responses={200: DeviceAnswerSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        ticket = self._ticket(number)
        data = self._body(DeviceSerializer)
        devices.set_ticket_asset(ticket.pk, actor=self._user(), asset=data.get("asset"))
        fresh = self._ticket(number)
        return Response({"number": fresh.number, "asset": fresh.asset.tag if fresh.asset else None})

"""The work log over the API: ``GET|POST /api/v1/tickets/{number}/worklogs/``.

GET answers ``{"count", "total_minutes", "results"}``: every entry for staff, the public
ones for the requester (and the total of those). POST (engineers and tech leads) takes
``body``, ``minutes``, ``mode``, ``is_public``, optional ``performed_at`` and
``parts_used``; the author, the time it was written and the covering consent come from the
request and the clock, never from the body. A ``remote`` entry with no consent valid at
``performed_at`` is a 400 naming ``mode``.
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
from fieldwork import selectors_worklog as selectors
from fieldwork.choices import WorkMode
from fieldwork.models import RemoteConsent, WorkLog
from fieldwork.services import worklogs as service
from tickets import selectors as ticket_selectors
from tickets.limits import max_length

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket, or not yours to see."),
    409: OpenApiResponse(description="Not allowed in the ticket's current state."),
}


class WorkLogSerializer(serializers.ModelSerializer[WorkLog]):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    author_name = serializers.CharField(source="author.name", read_only=True)
    consent: serializers.PrimaryKeyRelatedField[RemoteConsent] = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The requester's grant that covered a remote entry.",
    )

    class Meta:
        model = WorkLog
        fields = [
            "id",
            "body",
            "minutes",
            "mode",
            "is_public",
            "performed_at",
            "created_at",
            "author",
            "author_name",
            "parts_used",
            "consent",
        ]
        read_only_fields = fields


class WorkLogListSerializer(serializers.Serializer[None]):
    """The entries the caller may read and the time they add up to."""

    count = serializers.IntegerField()
    total_minutes = serializers.IntegerField(help_text="Minutes over the entries listed.")
    results = WorkLogSerializer(many=True)


class PerformedAtField(serializers.DateTimeField):
    """A moment the database can store: one whose UTC value falls outside the calendar
    (``0001-01-01T00:00:00`` in Shanghai is in the year 0 in UTC) answers 400."""

    default_error_messages = {"out_of_range": _("Give a time since the ticket was filed.")}

    def to_internal_value(self, value: dt.datetime | str) -> dt.datetime:
        try:
            parsed = super().to_internal_value(value)  # DRF's time-zone check can overflow
            parsed.astimezone(dt.UTC)
        except OverflowError:
            self.fail("out_of_range")
        return parsed


class WorkLogCreateSerializer(serializers.Serializer[None]):
    body = serializers.CharField(max_length=max_length(WorkLog, "body"), help_text="What was done.")
    minutes = serializers.IntegerField(
        min_value=service.MINUTES_MIN,
        max_value=service.MINUTES_MAX,
        help_text="Minutes spent (1–1440).",
    )
    mode = serializers.ChoiceField(choices=WorkMode.choices)
    is_public = serializers.BooleanField(
        default=False, help_text="Shown to the requester as live progress."
    )
    performed_at = PerformedAtField(
        required=False,
        allow_null=True,
        help_text="When it was done (default now); not in the future, not before filing.",
    )
    parts_used = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=max_length(WorkLog, "parts_used"),
        help_text="Parts replaced, if any.",
    )


class TicketWorkLogsView(generics.GenericAPIView[WorkLog]):
    """The ticket's work log in the order the work was done, with its total."""

    serializer_class = WorkLogSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = WorkLog.objects.none()

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    @extend_schema(responses={200: WorkLogListSerializer, 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = ticket_selectors.get_ticket_for(user, number)
        rows = list(selectors.worklogs_for(user, ticket))
        return Response(
            {
                "count": len(rows),
                "total_minutes": sum(row.minutes for row in rows),
                "results": WorkLogSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        request=WorkLogCreateSerializer,
        responses={201: WorkLogSerializer, **_ERRORS},
        summary="Log work on the ticket (engineers and tech leads)",
    )
    def post(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = ticket_selectors.get_ticket_for(user, number)
        body = WorkLogCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = service.log_work(ticket.pk, actor=user, **body.validated_data)
        fresh = selectors.worklogs_for(user, ticket).get(pk=entry.pk)
        return Response(WorkLogSerializer(fresh).data, status=status.HTTP_201_CREATED)

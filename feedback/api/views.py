"""The survey API: ``GET|POST /api/v1/tickets/{number}/survey/`` and ``GET /api/v1/surveys/``.

A ticket's survey: its requester and the desk's staff read it (404 before the fix is
verified: there is none yet); its requester alone answers (201, the first answer closing a
verified ticket) and changes her answer (200) for ``FEEDBACK_SURVEY_EDIT_DAYS`` days.
Anyone else who may see the ticket gets 403, whoever may not 404 (as everywhere for
tickets); 409 when no survey is open (not verified yet, reopened, the edit window passed);
400 names the field. The list: tech leads, managers and admins (403 for engineers and
requesters), paginated like the ticket list, filtered by answer day and lowest rating.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from feedback import permissions, selectors, services
from feedback.api.serializers import AnswerSerializer, SurveySerializer
from feedback.choices import Rating
from feedback.models import Survey
from tickets import selectors as ticket_selectors
from tickets.api.pagination import CappedCountPagination
from tickets.errors import ActionForbidden
from tickets.models import Ticket

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="Only the ticket's requester answers its survey."),
    404: OpenApiResponse(description="No such ticket (or not yours to see), or no survey yet."),
    409: OpenApiResponse(
        description="No survey open: not verified yet, reopened, or the 7-day edit window passed."
    ),
}


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated ran first
        raise exceptions.NotAuthenticated
    return user


def _survey_data(ticket: Ticket) -> dict[str, Any]:
    survey = (
        Survey.objects.select_related("ticket", "ticket__assignee", "requester")
        .filter(ticket_id=ticket.pk)
        .first()
    )
    if survey is None:
        raise exceptions.NotFound(
            _("This ticket has no satisfaction survey yet: it is sent when the fix is verified.")
        )
    return dict(SurveySerializer(survey).data)


class TicketSurveyView(generics.GenericAPIView[Survey]):
    """A ticket's satisfaction survey; POST is its requester's answer."""

    serializer_class = SurveySerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Survey.objects.none()

    def _ticket(self, number: str) -> Ticket:
        return ticket_selectors.get_ticket_for(_user(self.request), number)

    @extend_schema(responses={200: SurveySerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        ticket = self._ticket(number)
        if not permissions.can_read(ticket, _user(request)):
            raise exceptions.PermissionDenied(_("The survey is its requester's and the desk's."))
        return Response(_survey_data(ticket))

    @extend_schema(
        request=AnswerSerializer,
        responses={200: SurveySerializer, 201: SurveySerializer, **_ERRORS},
        description=(
            "The requester rates the service 1–5 on `speed`, `quality` and `attitude`, with "
            "a `comment` and optional `suggestions`. The first answer is a 201 (on a verified "
            "ticket it closes the ticket); a change within 7 days of it a 200."
        ),
    )
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        ticket = self._ticket(number)
        if not permissions.can_answer(ticket, user):
            raise ActionForbidden(_("Only the person who reported the problem answers its survey."))
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _survey, first = services.answer_survey(ticket.pk, actor=user, **body.validated_data)
        return Response(
            _survey_data(ticket), status=status.HTTP_201_CREATED if first else status.HTTP_200_OK
        )


class ListFilters(forms.Form):
    """The list's query: answer days in the reader's time zone, both ends included."""

    answered = forms.ChoiceField(required=False, choices=[("true", "true"), ("false", "false")])
    from_ = forms.DateField(required=False)
    to = forms.DateField(required=False)
    max_rating = forms.TypedChoiceField(
        required=False, choices=Rating.choices, coerce=int, empty_value=None
    )

    EARLIEST = dt.date(2000, 1, 1)
    LATEST = dt.date(2999, 12, 31)

    def __init__(self, data: Any) -> None:
        values = {key: data.get(key) for key in ("answered", "to", "max_rating") if key in data}
        if "from" in data:
            values["from_"] = data.get("from")
        super().__init__(values)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("from_", "to"):
            day = data.get(name)
            if day is not None and not self.EARLIEST <= day <= self.LATEST:
                self.add_error(name, _("Choose a date between 2000-01-01 and 2999-12-31."))
        first, last = data.get("from_"), data.get("to")
        if first and last and first > last:
            self.add_error("to", _("The end date is before the start date."))
        return data

    def errors_by_parameter(self) -> dict[str, Any]:
        found = self.errors.get_json_data(escape_html=False)
        return {("from" if key == "from_" else key): value for key, value in found.items()}

    def filters(self) -> selectors.SurveyFilters:
        zone = timezone.get_current_timezone()
        first, last = self.cleaned_data.get("from_"), self.cleaned_data.get("to")
        return selectors.SurveyFilters(
            answered=self.cleaned_data.get("answered") != "false",
            since=dt.datetime.combine(first, dt.time.min, tzinfo=zone) if first else None,
            before=(
                dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
                if last
                else None
            ),
            max_rating=self.cleaned_data.get("max_rating"),
        )


LIST_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="Answered on or after this day (YYYY-MM-DD, your time zone).",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        description="Answered on or before this day (YYYY-MM-DD, your time zone).",
    ),
    OpenApiParameter(
        "max_rating",
        OpenApiTypes.INT,
        enum=Rating.values,
        description="Only surveys with at least one rating at or below this (2: the low ones).",
    ),
    OpenApiParameter(
        "answered",
        OpenApiTypes.BOOL,
        description=(
            "true (the default): the answers, newest first; false: the invitations still "
            "unanswered, newest first (the other filters then find nothing)."
        ),
    ),
]


class SurveyListView(generics.ListAPIView[Survey]):
    """Satisfaction surveys for tech leads, managers and admins (of their sites when limited
    to some), newest answer first, 50 a page."""

    serializer_class = SurveySerializer
    pagination_class = CappedCountPagination
    filter_backends: list[Any] = []
    queryset = Survey.objects.none()

    def get_queryset(self) -> QuerySet[Survey]:
        user = _user(self.request)
        if not permissions.can_list(user):
            raise exceptions.PermissionDenied(_("The survey list is for tech leads and managers."))
        query = ListFilters(self.request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(query.errors_by_parameter())
        return selectors.surveys_for(user, query.filters())

    @extend_schema(
        parameters=LIST_PARAMETERS,
        responses={
            200: SurveySerializer(many=True),
            400: OpenApiResponse(description="A bad filter; the body names it."),
            403: OpenApiResponse(description="For tech leads, managers and admins only."),
            404: OpenApiResponse(description="A page past the end."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

"""The incidents API: ``/api/v1/incidents/`` and ``/api/v1/incidents/{number}/…``.

Engineers, tech leads, managers and admins read (a requester gets 403: they hear about an
incident through their own tickets' notices). Engineers and tech leads declare (the
declaring tech lead commands unless ``commander`` names another; an engineer must name
one) and link tickets; the commander and tech leads add people, change details and write
status notes, as do the task force's engineers for notes. 400 names the field, 404 is an
unknown number, 409 a wrong status (a resolved incident, a status going backwards).
``POST …/status/`` with the current status and a new note is an update; with
``restored`` its note is the restoration (as ``POST …/restore/`` with ``restoration``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from incidents import permissions, selectors, services
from incidents.api.serializers import (
    DeclareSerializer,
    IncidentListSerializer,
    IncidentSerializer,
    LinkResultSerializer,
    LinkSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    NoteSerializer,
    PatchSerializer,
    ReportSerializer,
    RestoreSerializer,
    StatusWriteSerializer,
)
from incidents.models import IncidentMember, MajorIncident
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this (requesters may not read incidents)."),
    404: OpenApiResponse(description="No incident with this number."),
    409: OpenApiResponse(description="Not in this status (resolved, or going backwards)."),
}


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated ran first
        raise exceptions.NotAuthenticated
    return user


def _body(
    serializer_class: type[serializers.Serializer[None]], request: Request, *, partial: bool = False
) -> dict[str, Any]:
    body = serializer_class(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _person(field: str, username: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationError({field: _("No active person with this username.")})
    return found


def _people(field: str, usernames: list[str]) -> list[User]:
    wanted = set(usernames)
    found = list(User.objects.filter(username__in=wanted, is_active=True))
    if len(found) != len(wanted):
        raise ValidationError({field: _("No active person with one of these usernames.")})
    return found


def _with_details(rows: QuerySet[MajorIncident]) -> QuerySet[MajorIncident]:
    return (
        rows.select_related("declared_by", "source_ticket")
        .annotate(linked_count=Count("links"))
        .prefetch_related(
            "sites",
            "stakeholders",
            Prefetch("members", queryset=IncidentMember.objects.select_related("user")),
        )
    )


def _detail(user: User, number: str) -> dict[str, Any]:
    incident = selectors.incident_for(user, number)
    fresh = _with_details(MajorIncident.objects.filter(pk=incident.pk)).get()
    return dict(IncidentSerializer(fresh).data)


class _IncidentView(generics.GenericAPIView[MajorIncident]):
    serializer_class = IncidentSerializer
    filter_backends: list[Any] = []
    queryset = MajorIncident.objects.none()
    pagination_class = None

    def _incident(self, number: str) -> MajorIncident:
        return selectors.incident_for(_user(self.request), number)

    def _check_worker(self, user: User) -> None:
        if not permissions.can_work(user):
            raise exceptions.PermissionDenied("Engineers and tech leads work major incidents.")


class IncidentListView(generics.GenericAPIView[MajorIncident]):
    """Major incidents, open ones first, newest first (paginated); POST declares one."""

    serializer_class = IncidentListSerializer
    filter_backends: list[Any] = []
    queryset = MajorIncident.objects.none()

    def get_queryset(self) -> QuerySet[MajorIncident]:
        return selectors.incidents_for(_user(self.request)).annotate(linked_count=Count("links"))

    # A page past the end is a 404 (DRF's page-number pagination).
    @extend_schema(
        responses={
            200: IncidentListSerializer(many=True),
            403: _ERRORS[403],
            404: _ERRORS[404],
        }
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = IncidentListSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(request=DeclareSerializer, responses={201: IncidentSerializer, **_ERRORS})
    def post(self, request: Request) -> Response:
        user = _user(request)
        selectors.incidents_for(user)  # 403 for people who may not read incidents
        if not permissions.can_declare(user):
            raise exceptions.PermissionDenied("Engineers and tech leads declare major incidents.")
        body = _body(DeclareSerializer, request)
        ticket: Ticket | None = None
        if body.get("ticket"):
            ticket = tickets_visible_to(user).filter(number=body["ticket"]).first()
            if ticket is None:
                raise ValidationError({"ticket": _("No such ticket (or not yours to see).")})
        commander = _person("commander", body["commander"]) if body.get("commander") else None
        incident = services.declare(
            actor=user,
            title=body["title"],
            impact=body["impact"],
            commander=commander,
            ticket=ticket,
            affected_services=body.get("affected_services", ""),
            sites=body.get("sites", []),
            stakeholders=_people("stakeholders", body.get("stakeholders", [])),
        )
        return Response(_detail(user, incident.number), status=status.HTTP_201_CREATED)


class IncidentDetailView(_IncidentView):
    """One incident; PATCH changes ``title``, ``impact``, ``affected_services``, ``sites``,
    ``stakeholders`` (the commander or a tech lead). The status moves through ``…/status/``."""

    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(responses={200: IncidentSerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        return Response(_detail(_user(request), number))

    @extend_schema(request=PatchSerializer, responses={200: IncidentSerializer, **_ERRORS})
    def patch(self, request: Request, number: str) -> Response:
        user = _user(request)
        incident = self._incident(number)
        if not permissions.can_steer(incident, user):
            raise exceptions.PermissionDenied("The commander or a tech lead changes the details.")
        changes = _body(PatchSerializer, request, partial=True)
        if "stakeholders" in changes:
            changes["stakeholders"] = _people("stakeholders", changes["stakeholders"])
        services.update_incident(incident.pk, actor=user, changes=changes)
        return Response(_detail(user, number))


class MembersView(_IncidentView):
    """Put someone on the task force: ``user`` (username), ``role`` (``commander`` — a tech
    lead, who takes over command — or ``engineer``). An engineer may add only themselves."""

    @extend_schema(request=MemberWriteSerializer, responses={201: MemberSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        incident = self._incident(number)
        self._check_worker(user)
        body = _body(MemberWriteSerializer, request)
        member = services.add_member(
            incident.pk, actor=user, user=_person("user", body["user"]), role=body["role"]
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class StatusView(_IncidentView):
    """A status note: ``status`` (the current one for an update, or a later one), ``note``
    (what was done; with ``restored``, the restoration), optional ``next_steps``."""

    @extend_schema(request=StatusWriteSerializer, responses={201: NoteSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        incident = self._incident(number)
        self._check_worker(user)
        body = _body(StatusWriteSerializer, request)
        note = services.post_status(
            incident.pk,
            actor=user,
            status=body["status"],
            note=body["note"],
            next_steps=body.get("next_steps", ""),
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class RestoreView(_IncidentView):
    """Service is restored: ``restoration`` says how (a workaround or the fix). The reports
    stop; the time to restore is kept; linked tickets' requesters are told once each."""

    @extend_schema(request=RestoreSerializer, responses={200: IncidentSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        incident = self._incident(number)
        self._check_worker(user)
        body = _body(RestoreSerializer, request)
        services.record_restoration(incident.pk, actor=user, restoration=body["restoration"])
        return Response(_detail(user, number))


class LinkView(_IncidentView):
    """Link open tickets (``tickets``: up to 1,000 numbers you may see) in one action."""

    @extend_schema(request=LinkSerializer, responses={200: LinkResultSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        incident = self._incident(number)
        if not permissions.can_link(user):
            raise exceptions.PermissionDenied("Engineers and tech leads link tickets.")
        body = _body(LinkSerializer, request)
        linked = services.link_tickets(incident.pk, actor=user, numbers=body["tickets"])
        total = incident.links.count()
        return Response({"linked": linked, "linked_tickets": total})


class ReportsView(_IncidentView):
    """The management reports sent so far, oldest first (a plain list)."""

    @extend_schema(
        responses={200: ReportSerializer(many=True), 403: _ERRORS[403], 404: _ERRORS[404]}
    )
    def get(self, request: Request, number: str) -> Response:
        incident = self._incident(number)
        shown = selectors.report_timeline(incident)
        due = {s.report.pk: (s.due_at, s.missed) for s in shown}
        data = ReportSerializer([s.report for s in shown], many=True, context={"due": due}).data
        return Response(data)

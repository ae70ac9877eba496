"""The training API: ``/api/v1/trainings/``, ``/api/v1/assessments/``, ``/api/v1/drills/``.

Staff only (a requester gets 403). Tech leads and managers read everything; an engineer
reads the sessions they attend or give, their own assessments and their own drills (another
engineer's drill is a 404). Tech leads plan and cancel sessions, record assessments, build,
score and withdraw drills; the trainer (or a tech lead) records attendance; a drill's
engineer starts and answers it. 400 names the field, 409 says why not now. A drill read by
its engineer never carries the ticket's number, root cause, plan or solution before it is
scored.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from training import permissions, selectors
from training.api.serializers import (
    AssessmentSerializer,
    AssessmentWriteSerializer,
    AttendanceWriteSerializer,
    DrillAnswerSerializer,
    DrillScoreSerializer,
    DrillSerializer,
    DrillWriteSerializer,
    SessionCancelSerializer,
    SessionSerializer,
    SessionWriteSerializer,
)
from training.choices import AssessmentKind, DrillStatus
from training.models import Assessment, Drill, TrainingSession
from training.services import assessments as assessment_services
from training.services import drills as drill_services
from training.services import sessions as session_services

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such session or drill (or not yours to see)."),
    409: OpenApiResponse(description="Not now (a session not begun, a drill's state)."),
}
_READ = {403: _ERRORS[403], 404: _ERRORS[404]}


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated ran first
        raise exceptions.NotAuthenticated
    if not permissions.uses_training(user):
        raise exceptions.PermissionDenied(_("Training is for the service desk's staff."))
    return user


def _body(
    serializer_class: type[serializers.Serializer[None]], request: Request, *, partial: bool = False
) -> dict[str, Any]:
    body = serializer_class(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _choice(request: Request, name: str, allowed: list[str]) -> str:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise exceptions.ValidationError({name: [_("One of: %(v)s.") % {"v": ", ".join(allowed)}]})
    return value


# --- sessions ---------------------------------------------------------------------------------


def _session_data(user: User, session_id: int) -> dict[str, Any]:
    return dict(SessionSerializer(selectors.session_for_api(user).get(pk=session_id)).data)


class SessionListView(generics.GenericAPIView[TrainingSession]):
    """Training sessions, by start time (``when=upcoming``: from today on, soonest first;
    ``past``: before today, latest first; none: all, latest first); POST plans one."""

    serializer_class = SessionSerializer
    filter_backends: list[Any] = []
    queryset = TrainingSession.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("when", OpenApiTypes.STR, enum=["upcoming", "past"]),
        ],
        responses={200: SessionSerializer(many=True), 400: _ERRORS[400], **_READ},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        when = _choice(request, "when", ["upcoming", "past"])
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        rows = selectors.session_for_api(user)
        if when == "upcoming":
            rows = rows.filter(starts_at__gte=today).order_by("starts_at", "pk")
        elif when == "past":
            rows = rows.filter(starts_at__lt=today).order_by("-starts_at", "-pk")
        else:
            rows = rows.order_by("-starts_at", "-pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(SessionSerializer(page, many=True).data)

    @extend_schema(request=SessionWriteSerializer, responses={201: SessionSerializer, **_ERRORS})
    def post(self, request: Request) -> Response:
        user = _user(request)
        if not permissions.can_manage(user):
            raise exceptions.PermissionDenied(_("Only tech leads plan training."))
        session = session_services.create_session(
            actor=user, **_body(SessionWriteSerializer, request)
        )
        return Response(_session_data(user, session.pk), status=status.HTTP_201_CREATED)


class SessionDetailView(generics.GenericAPIView[TrainingSession]):
    """One session; PATCH changes the fields given (tech leads)."""

    serializer_class = SessionSerializer
    filter_backends: list[Any] = []
    queryset = TrainingSession.objects.none()
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(responses={200: SessionSerializer, **_READ})
    def get(self, request: Request, session_id: int) -> Response:
        user = _user(request)
        selectors.get_session_for(user, session_id)
        return Response(_session_data(user, session_id))

    @extend_schema(request=SessionWriteSerializer, responses={200: SessionSerializer, **_ERRORS})
    def patch(self, request: Request, session_id: int) -> Response:
        user = _user(request)
        selectors.get_session_for(user, session_id)
        if not permissions.can_manage(user):
            raise exceptions.PermissionDenied(_("Only tech leads change training sessions."))
        changes = _body(SessionWriteSerializer, request, partial=True)
        session_services.update_session(session_id, actor=user, changes=changes)
        return Response(_session_data(user, session_id))


class SessionCancelView(generics.GenericAPIView[TrainingSession]):
    """Cancel a session (tech leads), with an optional ``reason``: it stays, marked
    cancelled, and its attendees and trainer are told. 409 when it is cancelled already or
    attendance or an assessment shows it took place."""

    serializer_class = SessionSerializer
    filter_backends: list[Any] = []
    queryset = TrainingSession.objects.none()

    @extend_schema(request=SessionCancelSerializer, responses={200: SessionSerializer, **_ERRORS})
    def post(self, request: Request, session_id: int) -> Response:
        user = _user(request)
        selectors.get_session_for(user, session_id)
        if not permissions.can_manage(user):
            raise exceptions.PermissionDenied(_("Only tech leads cancel training sessions."))
        body = _body(SessionCancelSerializer, request)
        session_services.cancel_session(session_id, actor=user, reason=body.get("reason", ""))
        return Response(_session_data(user, session_id))


class SessionAttendanceView(generics.GenericAPIView[TrainingSession]):
    """Record attendance once the session has begun: ``attendance`` is a list of
    ``{"engineer": username, "status": "attended" | "absent"}`` (the trainer or a tech
    lead)."""

    serializer_class = SessionSerializer
    filter_backends: list[Any] = []
    queryset = TrainingSession.objects.none()

    @extend_schema(request=AttendanceWriteSerializer, responses={200: SessionSerializer, **_ERRORS})
    def post(self, request: Request, session_id: int) -> Response:
        user = _user(request)
        session = selectors.get_session_for(user, session_id)
        if not permissions.can_record_attendance(session, user):
            raise exceptions.PermissionDenied(_("The trainer or a tech lead records attendance."))
        body = _body(AttendanceWriteSerializer, request)
        marks = {row["engineer"]: row["status"] for row in body["attendance"]}
        session_services.record_attendance(session_id, actor=user, marks=marks)
        return Response(_session_data(user, session_id))


# --- assessments ------------------------------------------------------------------------------


class AssessmentListView(generics.GenericAPIView[Assessment]):
    """Assessments, newest first (``engineer`` and ``kind`` narrow them; an engineer reads
    their own); POST records one (tech leads): a pass on a session's assessment raises the
    session's skills (``skills_granted`` says which)."""

    serializer_class = AssessmentSerializer
    filter_backends: list[Any] = []
    queryset = Assessment.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("engineer", OpenApiTypes.STR, description="A username."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=AssessmentKind.values),
        ],
        responses={200: AssessmentSerializer(many=True), 400: _ERRORS[400], **_READ},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        kind = _choice(request, "kind", list(AssessmentKind.values))
        rows = selectors.assessment_rows(user).order_by("-assessed_at", "-pk")
        engineer = request.query_params.get("engineer", "")
        if engineer:
            rows = rows.filter(engineer__username=engineer)
        if kind:
            rows = rows.filter(kind=kind)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(
        request=AssessmentWriteSerializer, responses={201: AssessmentSerializer, **_ERRORS}
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        if not permissions.can_manage(user):
            raise exceptions.PermissionDenied(_("Only tech leads record assessments."))
        done = assessment_services.record_assessment(
            actor=user, **_body(AssessmentWriteSerializer, request)
        )
        fresh = selectors.assessment_rows(user).get(pk=done.pk)
        return Response(AssessmentSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- drills -----------------------------------------------------------------------------------


def _drills(user: User) -> QuerySet[Drill]:
    return selectors.drill_rows(user).prefetch_related("attachments")


def _drill_data(user: User, drill_id: int) -> dict[str, Any]:
    return dict(DrillSerializer(_drills(user).get(pk=drill_id), context={"user": user}).data)


class DrillListView(generics.GenericAPIView[Drill]):
    """Drills, newest first (``status`` narrows them; an engineer reads their own); POST
    builds one from a resolved ticket (tech leads)."""

    serializer_class = DrillSerializer
    filter_backends: list[Any] = []
    queryset = Drill.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=DrillStatus.values)],
        responses={200: DrillSerializer(many=True), 400: _ERRORS[400], **_READ},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        wanted = _choice(request, "status", list(DrillStatus.values))
        rows = _drills(user).order_by("-created_at", "-pk")
        if wanted:
            rows = rows.filter(status=wanted)
        page = self.paginate_queryset(rows)
        data = [DrillSerializer(d, context={"user": user}).data for d in page or []]
        return self.get_paginated_response(data)

    @extend_schema(request=DrillWriteSerializer, responses={201: DrillSerializer, **_ERRORS})
    def post(self, request: Request) -> Response:
        user = _user(request)
        if not permissions.can_manage(user):
            raise exceptions.PermissionDenied(_("Only tech leads build drills."))
        drill = drill_services.create_drill(actor=user, **_body(DrillWriteSerializer, request))
        return Response(_drill_data(user, drill.pk), status=status.HTTP_201_CREATED)


class _DrillView(generics.GenericAPIView[Drill]):
    serializer_class = DrillSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Drill.objects.none()


class DrillDetailView(_DrillView):
    """One drill, as its reader may see it."""

    @extend_schema(responses={200: DrillSerializer, **_READ})
    def get(self, request: Request, drill_id: int) -> Response:
        user = _user(request)
        selectors.get_drill_for(user, drill_id)
        return Response(_drill_data(user, drill_id))


class DrillStartView(_DrillView):
    """The drill's engineer starts it: the symptom shows and the time limit runs."""

    @extend_schema(request=None, responses={200: DrillSerializer, **_ERRORS})
    def post(self, request: Request, drill_id: int) -> Response:
        user = _user(request)
        drill_services.start_drill(drill_id, actor=user)
        return Response(_drill_data(user, drill_id))


class DrillAnswerView(_DrillView):
    """The drill's engineer answers, once: ``diagnosis`` and ``plan``. After the deadline the
    answer is kept and marked late (``is_late``)."""

    @extend_schema(request=DrillAnswerSerializer, responses={200: DrillSerializer, **_ERRORS})
    def post(self, request: Request, drill_id: int) -> Response:
        user = _user(request)
        drill = selectors.get_drill_for(user, drill_id)
        if not permissions.is_drills_engineer(drill, user):
            raise exceptions.PermissionDenied(_("Only the engineer the drill is for takes it."))
        drill_services.answer_drill(drill_id, actor=user, **_body(DrillAnswerSerializer, request))
        return Response(_drill_data(user, drill_id))


class DrillScoreView(_DrillView):
    """A tech lead scores an answered drill, once: ``score`` (0–100) and ``notes``."""

    @extend_schema(request=DrillScoreSerializer, responses={200: DrillSerializer, **_ERRORS})
    def post(self, request: Request, drill_id: int) -> Response:
        user = _user(request)
        drill = selectors.get_drill_for(user, drill_id)
        if not permissions.can_score(drill, user):
            raise exceptions.PermissionDenied(
                _("Only a tech lead scores a drill, never their own.")
            )
        drill_services.score_drill(drill_id, actor=user, **_body(DrillScoreSerializer, request))
        return Response(_drill_data(user, drill_id))


class DrillWithdrawView(_DrillView):
    """A tech lead (not the drill's engineer) withdraws a drill not answered yet; its
    engineer is told. 409 once it is answered, scored or withdrawn."""

    @extend_schema(request=None, responses={200: DrillSerializer, **_ERRORS})
    def post(self, request: Request, drill_id: int) -> Response:
        user = _user(request)
        drill = selectors.get_drill_for(user, drill_id)
        if not permissions.can_withdraw(drill, user):
            raise exceptions.PermissionDenied(
                _("Only a tech lead withdraws a drill, never their own.")
            )
        drill_services.withdraw_drill(drill_id, actor=user)
        return Response(_drill_data(user, drill_id))

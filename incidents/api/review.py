"""The post-incident review over the API.

* ``GET /api/v1/incidents/{number}/review/`` — the review as the page shows it: the
  incident's times (time to restore and to resolve in seconds), the root cause and summary
  (empty until written), the actions, and the timeline generated from the incident's events.
* ``PUT …/review/`` — write or rewrite ``root_cause`` (required) and ``summary``; a resolved
  incident becomes ``reviewed``.
* ``POST …/review/actions/`` — add an action: ``description``, ``owner`` (a username of
  the desk or management), ``due_on`` (``YYYY-MM-DD``).
* ``PATCH …/review/actions/{action_id}/`` — change any of those, or ``done`` (true/false;
  the action's owner may set this one on their own action).

Every member of staff reads; the commander and tech leads write (403 for anyone else, a
requester included); 404 for an unknown incident or action; 409 before the incident is
resolved (or for actions before the root cause is written); 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from incidents import review, selectors
from incidents.models import MajorIncident, PostIncidentReview, ReviewAction
from tickets.limits import max_length

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such incident (or action)."),
    409: OpenApiResponse(description="Not now: the incident is not resolved yet."),
}
_WRITERS_ONLY = "Only the incident's commander or a tech lead writes its review."


class ActionSerializer(serializers.ModelSerializer[ReviewAction]):
    owner = serializers.CharField(source="owner.username", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    done = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAction
        fields = ["id", "description", "owner", "owner_name", "due_on", "done", "done_at"]
        read_only_fields = fields

    def get_done(self, obj: ReviewAction) -> bool:
        return obj.done_at is not None


class EntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor = serializers.CharField()
    text = serializers.CharField()
    next_steps = serializers.CharField()
    status = serializers.CharField()
    role = serializers.CharField()
    count = serializers.IntegerField()
    no_new_status = serializers.BooleanField()
    is_late = serializers.BooleanField()


class ReviewSerializer(serializers.Serializer[Any]):
    """The review of one incident, written or not (the timeline is always there)."""

    incident = serializers.CharField()
    status = serializers.CharField()
    declared_at = serializers.DateTimeField()
    restored_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    time_to_restore_seconds = serializers.IntegerField(allow_null=True)
    time_to_resolve_seconds = serializers.IntegerField(allow_null=True)
    root_cause = serializers.CharField()
    summary = serializers.CharField()
    written_by = serializers.CharField(allow_null=True)
    written_at = serializers.DateTimeField(allow_null=True)
    actions = ActionSerializer(many=True)
    timeline = EntrySerializer(many=True)


class ReviewWriteSerializer(serializers.Serializer[None]):
    root_cause = serializers.CharField(max_length=max_length(PostIncidentReview, "root_cause"))
    summary = serializers.CharField(
        max_length=max_length(PostIncidentReview, "summary"),
        required=False,
        allow_blank=True,
        default="",
    )


class ActionWriteSerializer(serializers.Serializer[None]):
    description = serializers.CharField(max_length=max_length(ReviewAction, "description"))
    owner = serializers.CharField(max_length=150)
    due_on = serializers.DateField()
    done = serializers.BooleanField(required=False)


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


def _seconds(value: Any) -> int | None:
    return int(value.total_seconds()) if value is not None else None


def represent(incident: MajorIncident) -> dict[str, Any]:
    found = review.review_of(incident)
    took = review.durations(incident)
    data = {
        "incident": incident.number,
        "status": incident.status,
        "declared_at": incident.declared_at,
        "restored_at": incident.restored_at,
        "resolved_at": incident.resolved_at,
        "reviewed_at": incident.reviewed_at,
        "time_to_restore_seconds": _seconds(took["to_restore"]),
        "time_to_resolve_seconds": _seconds(took["to_resolve"]),
        "root_cause": found.root_cause if found else "",
        "summary": found.summary if found else "",
        "written_by": found.written_by.username if found else None,
        "written_at": found.written_at if found else None,
        "actions": list(found.actions.all()) if found else [],
        "timeline": [e.as_dict() for e in review.timeline(incident)],
    }
    return dict(ReviewSerializer(data).data)


class _ReviewView(generics.GenericAPIView[Any]):
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = PostIncidentReview.objects.none()

    def _incident(self, number: str) -> MajorIncident:
        return selectors.incident_for(_user(self.request), number)

    def _check_writer(self, incident: MajorIncident) -> None:
        """Refused before the input is read: a wrong role is 403, never a 400."""
        if not review.may_write(incident, _user(self.request)):
            raise exceptions.PermissionDenied(_WRITERS_ONLY)


class IncidentReviewView(_ReviewView):
    """The post-incident review; PUT writes it (the incident becomes reviewed)."""

    serializer_class = ReviewSerializer
    http_method_names = ["get", "put", "head", "options"]

    @extend_schema(responses={200: ReviewSerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        return Response(represent(self._incident(number)))

    @extend_schema(request=ReviewWriteSerializer, responses={200: ReviewSerializer, **_ERRORS})
    def put(self, request: Request, number: str) -> Response:
        incident = self._incident(number)
        self._check_writer(incident)
        body = _body(ReviewWriteSerializer, request)
        review.write_review(incident.pk, actor=_user(request), **body)
        return Response(represent(self._incident(number)))


class ReviewActionsView(_ReviewView):
    """Add an action to the review: what, who owns it (username), by when."""

    serializer_class = ActionSerializer

    @extend_schema(request=ActionWriteSerializer, responses={201: ActionSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        incident = self._incident(number)
        self._check_writer(incident)
        body = _body(ActionWriteSerializer, request)
        body.pop("done", None)
        action = review.add_action(incident.pk, actor=_user(request), **body)
        fresh = ReviewAction.objects.select_related("owner").get(pk=action.pk)
        return Response(ActionSerializer(fresh).data, status=status.HTTP_201_CREATED)


class ReviewActionView(_ReviewView):
    """Change an action: any of ``description``, ``owner``, ``due_on``, ``done``."""

    serializer_class = ActionSerializer
    http_method_names = ["patch", "head", "options"]

    @extend_schema(request=ActionWriteSerializer, responses={200: ActionSerializer, **_ERRORS})
    def patch(self, request: Request, number: str, action_id: int) -> Response:
        user = _user(request)
        incident = self._incident(number)
        action = review.action_of(incident, action_id)
        asked = set(request.data) if isinstance(request.data, dict) else set()
        only_done = bool(asked) and asked <= {"done"}
        allowed = (
            review.may_mark_done(incident, action, user)
            if only_done
            else review.may_write(incident, user)
        )
        if not allowed:
            raise exceptions.PermissionDenied(_WRITERS_ONLY)
        changes = _body(ActionWriteSerializer, request, partial=True)
        saved = review.update_action(incident.pk, action.pk, actor=user, changes=changes)
        fresh = ReviewAction.objects.select_related("owner").get(pk=saved.pk)
        return Response(ActionSerializer(fresh).data)

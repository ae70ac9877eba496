"""The caller's own inbox over REST. Adapters over selectors and services."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from notifications import selectors, services
from notifications.api.serializers import NotificationSerializer
from notifications.models import Notification

_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, description="Only this kind."),
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="true: unread only."),
        ],
        responses={
            200: NotificationSerializer(many=True),
            400: OpenApiResponse(description="An invalid filter value; the body names it."),
            404: OpenApiResponse(description="No such page."),
        },
    )
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    """The caller's own in-app notifications, newest first."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the real rows come from get_queryset
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]+"
    filter_backends: list[type] = []

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def get_queryset(self) -> QuerySet[Notification]:
        rows = selectors.inbox_for(self._user())
        params = self.request.query_params
        kind = params.get("kind")
        if kind is not None:
            rows = rows.filter(kind=kind[:32])
        unread = params.get("unread")
        if unread is not None:
            value = unread.strip().lower()
            if value not in _TRUE | _FALSE:
                raise exceptions.ValidationError({"unread": ["Give true or false."]})
            rows = rows.filter(read_at__isnull=value in _TRUE)
        return rows

    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, 404: OpenApiResponse(description="Not yours.")},
        summary="Mark one notification read",
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, id: str) -> Response:  # noqa: A002 (the URL's name)
        try:
            notification = services.mark_read(int(id), actor=self._user())
        except (ValueError, services.NotificationNotFound):
            raise Http404 from None
        return Response(NotificationSerializer(notification, context={"request": request}).data)

"""Followers (CC) over the API: ``/api/v1/tickets/{number}/watchers/`` and ``…/{username}/``.

Whoever may see the ticket may list its followers; adding and removing follow the rules of
``tickets.services.watchers`` (403 when the caller may not, 400 naming ``user`` for
someone unknown, 409 for someone already following, 404 for someone not following).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from tickets import selectors
from tickets.models import Watcher
from tickets.services import watchers as service

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket (or not yours to see), or no such follower."),
    409: OpenApiResponse(description="This person already follows the ticket."),
}


class WatcherSerializer(serializers.ModelSerializer[Watcher]):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    added_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Watcher
        fields = ["username", "name", "added_by", "created_at"]
        read_only_fields = fields


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class PersonRefField(serializers.CharField):
    """A username or e-mail address; engineers may give the numeric id instead."""


class WatcherAddSerializer(serializers.Serializer[None]):
    user = PersonRefField(
        max_length=254,
        help_text=(
            "Who follows: a username or e-mail address (engineers may give the id). "
            "Your own username is “follow”."
        ),
    )


class _TicketScoped(generics.GenericAPIView[Watcher]):
    serializer_class = WatcherSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Watcher.objects.none()

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user


class TicketWatchersView(_TicketScoped):
    """The ticket's followers; POST adds one (requester: colleagues; engineers: anyone)."""

    @extend_schema(responses={200: WatcherSerializer(many=True), 404: _ERRORS[404]})
    def get(self, request: Request, number: str) -> Response:
        ticket = selectors.get_ticket_for(self._user(), number)
        rows = selectors.watchers_of(ticket)
        return Response(WatcherSerializer(rows, many=True).data)

    @extend_schema(request=WatcherAddSerializer, responses={201: WatcherSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = self._user()
        ticket = selectors.get_ticket_for(user, number)
        body = WatcherAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        watcher = service.add_watcher(ticket.pk, actor=user, user=body.validated_data["user"])
        fresh = selectors.watchers_of(ticket).get(pk=watcher.pk)
        return Response(WatcherSerializer(fresh).data, status=status.HTTP_201_CREATED)


class TicketWatcherView(_TicketScoped):
    """One follower, by username: DELETE stops them following (yourself, or as the
    requester or an engineer anyone)."""

    @extend_schema(
        responses={
            204: None,
            403: _ERRORS[403],
            404: _ERRORS[404],
        }
    )
    def delete(self, request: Request, number: str, username: str) -> Response:
        user = self._user()
        ticket = selectors.get_ticket_for(user, number)
        service.remove_watcher(ticket.pk, actor=user, user=username)
        return Response(status=status.HTTP_204_NO_CONTENT)

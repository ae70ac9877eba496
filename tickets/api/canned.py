"""Canned replies over the API: ``/api/v1/canned-replies/`` and ``/{reply_id}/``.

The list is what the caller may insert (shared ones first, then their own); engineers and
tech leads only (403 for everyone else). Writes go through ``tickets.services.canned``:
a personal reply is its owner's alone (someone else's is 404), shared ones are written by
tech leads (``shared: true`` from an engineer is 403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from tickets import permissions, selectors
from tickets.limits import max_length
from tickets.models import CannedReply
from tickets.services import canned as service

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="Not an engineer, or a shared reply and not a tech lead."),
    404: OpenApiResponse(description="No such reply, or someone else's personal one."),
}
_TITLE_MAX = max_length(CannedReply, "title")
_BODY_MAX = max_length(CannedReply, "body")


class CannedReplySerializer(serializers.ModelSerializer[CannedReply]):
    shared = serializers.SerializerMethodField()
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = CannedReply
        fields = [
            "id",
            "title",
            "body",
            "shared",
            "owner",
            "created_by",
            "created_at",
            "updated_at",
            "can_edit",
        ]
        read_only_fields = fields

    def get_shared(self, reply: CannedReply) -> bool:
        return reply.owner_id is None

    def get_can_edit(self, reply: CannedReply) -> bool:
        """Whether the caller may change or delete it (their own, or shared for tech leads)."""
        user = self.context.get("user")
        if reply.owner_id is not None:
            return True  # the list holds only the caller's own personal replies
        return user is not None and permissions.can_share_canned_replies(user)


class CannedReplyCreateSerializer(serializers.Serializer[None]):
    title = serializers.CharField(max_length=_TITLE_MAX)
    body = serializers.CharField(max_length=_BODY_MAX)
    shared = serializers.BooleanField(
        required=False, default=False, help_text="Offer it to every engineer (tech leads only)."
    )


class CannedReplyUpdateSerializer(serializers.Serializer[None]):
    """PATCH body: any of the three; ``shared`` changes only for tech leads."""

    title = serializers.CharField(max_length=_TITLE_MAX, required=False)
    body = serializers.CharField(max_length=_BODY_MAX, required=False)
    shared = serializers.BooleanField(required=False)


@extend_schema_view(
    list=extend_schema(
        responses={200: CannedReplySerializer(many=True), 403: _ERRORS[403]},
        summary="The canned replies the caller may insert",
    ),
    retrieve=extend_schema(
        responses={200: CannedReplySerializer, 403: _ERRORS[403], 404: _ERRORS[404]}
    ),
)
class CannedReplyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[CannedReply],
):
    """Personal and shared canned replies (placeholders are filled on the ticket page)."""

    queryset = CannedReply.objects.none()  # the real rows come from get_queryset
    serializer_class = CannedReplySerializer
    pagination_class = None  # bounded: TICKETS_CANNED_PERSONAL_MAX + TICKETS_CANNED_SHARED_MAX
    filter_backends: list[Any] = []
    lookup_url_kwarg = "reply_id"
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        if not permissions.can_use_canned_replies(user):
            raise exceptions.PermissionDenied("Canned replies are for engineers.")
        return user

    def get_queryset(self) -> QuerySet[CannedReply]:
        return selectors.canned_replies_for(self._user())

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if isinstance(self.request.user, User):
            context["user"] = self.request.user
        return context

    def _body(self, serializer_class: type[serializers.Serializer[None]]) -> dict[str, Any]:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _respond(self, reply: CannedReply, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=reply.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=CannedReplyCreateSerializer, responses={201: CannedReplySerializer, **_ERRORS}
    )
    def create(self, request: Request) -> Response:
        user = self._user()
        data = self._body(CannedReplyCreateSerializer)
        reply = service.create_canned_reply(actor=user, **data)
        return self._respond(reply, status.HTTP_201_CREATED)

    @extend_schema(
        request=CannedReplyUpdateSerializer, responses={200: CannedReplySerializer, **_ERRORS}
    )
    def partial_update(self, request: Request, reply_id: str) -> Response:
        user = self._user()
        reply = self.get_object()
        changes = self._body(CannedReplyUpdateSerializer)
        reply = service.update_canned_reply(reply.pk, actor=user, changes=changes)
        return self._respond(reply)

    @extend_schema(responses={204: None, 403: _ERRORS[403], 404: _ERRORS[404]})
    def destroy(self, request: Request, reply_id: str) -> Response:
        user = self._user()
        reply = self.get_object()
        service.delete_canned_reply(reply.pk, actor=user)
        return Response(status=status.HTTP_204_NO_CONTENT)

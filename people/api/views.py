"""The engineers API: ``GET /api/v1/engineers/`` (tech leads, managers),
``GET /api/v1/engineers/{username}/`` (those, and the engineer themself) and
``PUT /api/v1/engineers/{username}/skills/`` (tech leads: the whole skill set).

Whether the caller may is checked before the username is looked up, so nobody learns who
exists from a 404; then an unknown username (or someone who does not work the queue) is a
404, bad items a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Site, User
from people import permissions, selectors
from people.api.serializers import EngineerSerializer, SkillSetSerializer
from people.services import skills
from tickets.models import Category

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No engineer with this username."),
}


class _Engineers(generics.GenericAPIView[User]):
    queryset = User.objects.none()  # the real rows come from the selectors
    serializer_class = EngineerSerializer
    filter_backends: list[Any] = []

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def _engineer(self, username: str) -> User:
        try:
            return selectors.get_engineer(username[:150])
        except User.DoesNotExist:
            raise exceptions.NotFound from None


class EngineerListView(mixins.ListModelMixin, _Engineers):
    """Every engineer (a role that works the queue) with sites, skills and open load."""

    def get_queryset(self) -> QuerySet[User]:
        if not permissions.can_view_team(self._user()):
            raise exceptions.PermissionDenied
        params = self.request.query_params
        site_code, slug = params.get("site", "")[:32], params.get("category", "")[:64]
        site = Site.objects.filter(code=site_code).first() if site_code else None
        category = Category.objects.filter(slug=slug).first() if slug else None
        if (site_code and site is None) or (slug and category is None):
            return User.objects.none()
        return selectors.team(site=site, category=category, q=params.get("q", "")[:100])

    @extend_schema(
        parameters=[
            OpenApiParameter("site", str, description="A site code: who covers it."),
            OpenApiParameter("category", str, description="A category slug: who has it."),
            OpenApiParameter("q", str, description="Part of the username or name."),
        ],
        responses={
            200: EngineerSerializer(many=True),
            403: _ERRORS[403],
            404: OpenApiResponse(description="No such page."),
        },
    )
    def get(self, request: Request) -> Response:
        return self.list(request)


class EngineerDetailView(_Engineers):
    """One engineer: tech leads and managers, or the engineer themself."""

    @extend_schema(responses={200: EngineerSerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    def get(self, request: Request, username: str) -> Response:
        if not permissions.can_view_engineer(self._user(), username):
            raise exceptions.PermissionDenied
        return Response(EngineerSerializer(self._engineer(username)).data)


class EngineerSkillsView(_Engineers):
    """Replace an engineer's skills (tech leads): a list of ``{"category": slug,
    "level": 1-3}``, each category once; an empty list removes them all."""

    @extend_schema(request=SkillSetSerializer, responses={200: EngineerSerializer, **_ERRORS})
    def put(self, request: Request, username: str) -> Response:
        user = self._user()
        if not permissions.can_edit_team(user):
            raise exceptions.PermissionDenied
        engineer = self._engineer(username)
        body = SkillSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = [(item["category"], item["level"]) for item in body.validated_data]
        skills.set_skills(engineer, items, actor=user)
        return Response(EngineerSerializer(selectors.get_engineer(engineer.username)).data)

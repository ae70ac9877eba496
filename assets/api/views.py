"""The device API: ``/api/v1/assets/`` (list, create) and ``/api/v1/assets/{asset_id}/``
(detail with tickets and maintenance history, PATCH).

Staff with ``view_assets`` read every device, engineers and tech leads create and change
them; anyone else reads only the devices they own (another's device is a 404) and may
change nothing (403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from assets import hooks, selectors, services
from assets.api.serializers import AssetDetailSerializer, AssetSerializer, AssetWriteSerializer
from assets.models import Asset

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such device, or not yours to see."),
}


class _Assets(generics.GenericAPIView[Asset]):
    queryset = Asset.objects.none()  # the real rows come from the selectors
    serializer_class = AssetSerializer
    filter_backends: list[Any] = []

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def _body(self) -> dict[str, Any]:
        body = AssetWriteSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _detail(self, asset_id: int, code: int = status.HTTP_200_OK) -> Response:
        user = self._user()
        asset = selectors.get_asset_for(user, asset_id)
        context = {
            "tickets": hooks.tickets_of(asset, user),
            "maintenance": selectors.maintenance_for(asset.pk),
        }
        return Response(AssetDetailSerializer(asset, context=context).data, status=code)


class AssetListView(mixins.ListModelMixin, _Assets):
    """Devices the caller may see, by tag; POST adds one (engineers, tech leads, admins)."""

    def get_queryset(self) -> QuerySet[Asset]:
        params = self.request.query_params
        return selectors.asset_list_for(
            self._user(),
            q=params.get("q", "")[:100],
            kind=params.get("kind", "")[:16],
            site=params.get("site", "")[:32],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Part of the tag, model, vendor or owner."),
            OpenApiParameter("kind", str, description="A kind code."),
            OpenApiParameter("site", str, description="A site code."),
        ],
        responses={200: AssetSerializer(many=True), 404: OpenApiResponse(description="No page")},
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(request=AssetWriteSerializer, responses={201: AssetDetailSerializer, **_ERRORS})
    def post(self, request: Request) -> Response:
        asset = services.create_asset(actor=self._user(), data=self._body())
        return self._detail(asset.pk, status.HTTP_201_CREATED)


class AssetDetailView(_Assets):
    """One device with ``tickets`` (those the caller may see) and ``maintenance``."""

    serializer_class = AssetDetailSerializer

    @extend_schema(responses={200: AssetDetailSerializer, 404: _ERRORS[404]})
    def get(self, request: Request, asset_id: int) -> Response:
        return self._detail(asset_id)

    @extend_schema(request=AssetWriteSerializer, responses={200: AssetDetailSerializer, **_ERRORS})
    def patch(self, request: Request, asset_id: int) -> Response:
        user = self._user()
        asset = selectors.get_asset_for(user, asset_id)
        services.update_asset(asset.pk, actor=user, changes=self._body())
        return self._detail(asset.pk)

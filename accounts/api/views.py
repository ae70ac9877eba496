"""The API token endpoint: obtain (POST) and revoke (DELETE) the caller's token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import TokenRequestSerializer, TokenSerializer
from accounts.models import User
from servicedesk.lib.api_http import SafeJSONParser


class TokenView(APIView):
    """Exchange a username and password for an API token, or revoke your own.

    The same login throttling as the sign-in page applies (django-axes): after too many
    failures for a username from one address, even the right password is refused with 429.
    """

    parser_classes = [FormParser, MultiPartParser, SafeJSONParser]
    throttle_classes = []

    def get_permissions(self) -> Sequence[BasePermission]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password; or a field invalid."),
            429: OpenApiResponse(description="Too many failed attempts; try again later."),
        },
        summary="Obtain an API token",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError:
            # django-axes marks the request it was given (DRF's wrapper, so its middleware
            # does not see it): answer as the sign-in page does, not "wrong password".
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": _("Too many failed sign-in attempts. Try again later.")},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            raise
        user: User = serializer.validated_data["user"]
        token = services.issue_api_token(user)
        return Response({"token": token.key, "expires_at": services.token_expires_at(token)})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Your token is revoked (or you had none)."),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Not signed in."),
        },
        summary="Revoke your API token",
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        services.revoke_api_token(user)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""The scripts library API: ``GET|POST /api/v1/knowledge/scripts/``,
``GET /api/v1/knowledge/scripts/{id}/`` (with its latest downloads) and
``GET /api/v1/knowledge/scripts/{id}/download/`` (the file, each download logged).

Staff only (``use_scripts``): requesters get 403 everywhere here. Engineers and tech leads
add scripts (JSON with the text, or multipart with a ``file``); 400 names the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from knowledge import selectors
from knowledge.api.serializers import (
    ScriptDetailSerializer,
    ScriptSerializer,
    ScriptWriteSerializer,
)
from knowledge.choices import ScriptKind, ScriptLanguage
from knowledge.models import Script
from knowledge.services import scripts as services
from knowledge.views.scripts import client_address, send_script
from servicedesk.lib.api_http import SafeJSONParser
from tickets.api.pagination import CappedCountPagination

_FORBIDDEN = OpenApiResponse(description="The scripts library is for the IT staff.")
_NOT_FOUND = OpenApiResponse(description="No such script.")


def _staff(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated ran first
        raise exceptions.NotAuthenticated
    if not services.may_use(user):
        raise exceptions.PermissionDenied(_("The scripts library is for the IT staff."))
    return user


class ScriptQuery(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *ScriptKind.choices])
    language = forms.ChoiceField(required=False, choices=[("", ""), *ScriptLanguage.choices])

    def __init__(self, data: Any) -> None:
        super().__init__({key: data.get(key) for key in self.base_fields if key in data})


class ScriptListView(generics.GenericAPIView[Script]):
    """The library, by name; POST adds a script (engineers and tech leads)."""

    serializer_class = ScriptSerializer
    pagination_class = CappedCountPagination
    filter_backends: list[Any] = []
    queryset = Script.objects.none()
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Script]:
        user = _staff(self.request)
        query = ScriptQuery(self.request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(query.errors.get_json_data(escape_html=False))
        return selectors.script_list_for(user, **{k: v for k, v in query.cleaned_data.items() if v})

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Part of the name or usage."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=ScriptKind.values),
            OpenApiParameter("language", OpenApiTypes.STR, enum=ScriptLanguage.values),
        ],
        responses={
            200: ScriptSerializer(many=True),
            400: OpenApiResponse(description="A bad filter; the body names it."),
            403: _FORBIDDEN,
            404: OpenApiResponse(description="A page past the end."),
        },
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ScriptSerializer(page, many=True).data)

    @extend_schema(
        request=ScriptWriteSerializer,
        responses={
            201: ScriptDetailSerializer,
            400: OpenApiResponse(description="Invalid input; the body names the field."),
            403: _FORBIDDEN,
        },
    )
    def post(self, request: Request) -> Response:
        user = _staff(request)
        if not services.may_write(user):
            raise exceptions.PermissionDenied(_("Only engineers and tech leads add scripts."))
        body = ScriptWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        script = services.create_script(by=user, **body.validated_data)
        shown = selectors.get_script_for(user, script.pk)
        return Response(ScriptDetailSerializer(shown).data, status=status.HTTP_201_CREATED)


class ScriptDetailView(generics.GenericAPIView[Script]):
    serializer_class = ScriptDetailSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Script.objects.none()

    @extend_schema(responses={200: ScriptDetailSerializer, 403: _FORBIDDEN, 404: _NOT_FOUND})
    def get(self, request: Request, script_id: int) -> Response:
        user = _staff(request)
        return Response(ScriptDetailSerializer(selectors.get_script_for(user, script_id)).data)


class ScriptDownloadView(APIView):
    """The script as a file (its upload, or its text); the download is logged."""

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: _FORBIDDEN,
            404: _NOT_FOUND,
        }
    )
    def get(self, request: Request, script_id: int) -> FileResponse:
        user = _staff(request)
        script = selectors.get_script_for(user, script_id)
        return send_script(script, user, client_address(request))

"""``GET /api/v1/knowledge/suggest/?q=``: the articles that may answer a problem being typed.

A JSON list, not paginated: at most ``search.SUGGEST_MAX`` published articles the caller
may read (requesters: public ones only), best first, each with ``id``, ``title``,
``snippet`` (safe HTML: escaped text, the matched words in ``<mark>``) and ``score``.
``q`` is required, at most ``search.QUERY_MAX`` characters: a 400 naming ``q`` otherwise.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from knowledge import search
from servicedesk.lib.api_http import text_problem


class SuggestQuery(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=search.QUERY_MAX)

    def clean_q(self) -> str:
        value = " ".join(str(self.cleaned_data.get("q") or "").split())
        if not value:
            raise forms.ValidationError(_("Type a few words of the problem."))
        problem = text_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class SuggestionSerializer(serializers.Serializer[Any]):  # a list of search.Hit
    id = serializers.IntegerField(source="article.pk")
    title = serializers.CharField(source="article.title")
    snippet = serializers.CharField(help_text="Safe HTML: escaped text, matches in <mark>.")
    score = serializers.FloatField()


class SuggestView(APIView):
    """Published articles that may answer the problem typed in ``q``, best first."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=(
                    "The problem as typed, in Chinese, English or both (error codes and "
                    f"product names match exactly). At most {search.QUERY_MAX} characters."
                ),
            )
        ],
        responses={
            200: SuggestionSerializer(many=True),
            400: OpenApiResponse(description="`q` is missing, blank or too long."),
        },
        summary="Suggest knowledge articles",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        form = SuggestQuery(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors.get_json_data(escape_html=False))
        hits = search.suggest(user, form.cleaned_data["q"], limit=search.SUGGEST_MAX)
        return Response(SuggestionSerializer(hits, many=True).data)

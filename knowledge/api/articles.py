"""The article API: ``GET|POST /api/v1/knowledge/articles/`` and
``GET|PATCH /api/v1/knowledge/articles/{id}/``.

Reading: staff read every article, everyone else signed in only published public ones —
an internal or unpublished article is a 404 to them, in the list as in a lookup. The list
is paginated like the ticket list (50 a page, capped count) and filtered by ``category``
(with its sub-categories), ``tag`` (a scenario), ``status`` and ``audience``; with ``q`` it
is ``knowledge.search``'s ranking (best first, at most ``SEARCH_LIMIT`` hits) and each row
carries its ``snippet``.

Writing: engineers and tech leads create (a draft; tech leads may create it reviewed or
published — anyone else naming such a ``status`` gets a 400 on ``status``) and change
articles; status changes in a PATCH follow the review rules. 403 for those who may read
but not write, 400 naming the field on bad input.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from knowledge import permissions, search, selectors
from knowledge.api.serializers import ArticleSerializer, ArticleWriteSerializer
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article
from knowledge.services import articles as services
from tickets.api.pagination import CappedCountPagination
from tickets.selectors import tickets_visible_to

SEARCH_LIMIT = 200
_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may read the article but not do this."),
    404: OpenApiResponse(description="No such article, or not one you may read."),
}


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated ran first
        raise exceptions.NotAuthenticated
    return user


def source_numbers(user: User, articles: list[Article]) -> dict[int, str]:
    """The numbers of the articles' source tickets that ``user`` may see (one query)."""
    ids = {a.source_ticket_id for a in articles if a.source_ticket_id}
    if not ids:
        return {}
    return dict(tickets_visible_to(user).filter(pk__in=ids).values_list("pk", "number"))


def _data(user: User, request: Request, rows: list[Article], **context: Any) -> Any:
    numbers = source_numbers(user, rows)
    return ArticleSerializer(
        rows, many=True, context={"request": request, "tickets": numbers, **context}
    ).data


class ArticleQuery(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    category = forms.SlugField(required=False, max_length=64)
    tag = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", ""), *ArticleStatus.choices])
    audience = forms.ChoiceField(required=False, choices=[("", ""), *Audience.choices])

    def __init__(self, data: Any) -> None:
        super().__init__({key: data.get(key) for key in self.base_fields if key in data})

    def filters(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v and k != "q"}


LIST_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words to search for (ranked)."),
    OpenApiParameter(
        "category", OpenApiTypes.STR, description="A category's slug (its sub-categories too)."
    ),
    OpenApiParameter(
        "tag", OpenApiTypes.STR, description='A scenario it applies to, e.g. "Windows 10 22H2".'
    ),
    OpenApiParameter("status", OpenApiTypes.STR, enum=ArticleStatus.values),
    OpenApiParameter("audience", OpenApiTypes.STR, enum=Audience.values),
]


class ArticleListView(generics.GenericAPIView[Article]):
    """Articles the caller may read, newest change first (or best match with ``q``)."""

    serializer_class = ArticleSerializer
    pagination_class = CappedCountPagination
    filter_backends: list[Any] = []
    queryset = Article.objects.none()

    def get_queryset(self) -> QuerySet[Article]:
        user = _user(self.request)
        query = ArticleQuery(self.request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(query.errors.get_json_data(escape_html=False))
        filters = query.filters()
        self.snippets: dict[int, str] = {}
        q = query.cleaned_data["q"].strip()
        if not q:
            return selectors.article_list_for(
                user,
                category=filters.get("category", ""),
                tag=filters.get("tag", ""),
                status=filters.get("status", ""),
                audience=filters.get("audience", ""),
            )
        hits = search.search(
            user,
            q,
            category=filters.get("category"),
            tag=filters.get("tag"),
            status=filters.get("status"),
            audience=filters.get("audience"),
            limit=SEARCH_LIMIT,
        )
        self.snippets = {hit.article.pk: str(hit.snippet) for hit in hits}
        order = list(self.snippets)
        rank = Case(
            *(When(pk=pk, then=Value(n)) for n, pk in enumerate(order)),
            default=Value(len(order)),
            output_field=IntegerField(),
        )
        rows = selectors.article_list_for(user).filter(pk__in=order)
        return rows.order_by(rank, "-pk") if order else rows.none()

    @extend_schema(
        parameters=LIST_PARAMETERS,
        responses={
            200: ArticleSerializer(many=True),
            400: OpenApiResponse(description="A bad filter; the body names it."),
            404: OpenApiResponse(description="A page past the end."),
        },
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        return self.get_paginated_response(
            _data(user, request, rows, snippets=getattr(self, "snippets", {}))
        )

    @extend_schema(
        request=ArticleWriteSerializer,
        responses={201: ArticleSerializer, **_ERRORS},
        description=(
            "A new article: `title`, `symptom`, optional `cause`, `steps` (a list of texts), "
            "`scenarios` (a list of names), `category` (slug), `audience`, `status`, `note`."
        ),
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        body = ArticleWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        article = services.create_article(by=user, **body.validated_data)
        shown = selectors.get_article_for(user, article.pk)
        return Response(_data(user, request, [shown])[0], status=status.HTTP_201_CREATED)


class ArticleDetailView(generics.GenericAPIView[Article]):
    """One article; PATCH changes the fields given (a new revision)."""

    serializer_class = ArticleSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Article.objects.none()

    @extend_schema(responses={200: ArticleSerializer, 404: _ERRORS[404]})
    def get(self, request: Request, article_id: int) -> Response:
        user = _user(request)
        article = selectors.get_article_for(user, article_id)
        return Response(_data(user, request, [article])[0])

    @extend_schema(
        request=ArticleWriteSerializer(partial=True),
        responses={200: ArticleSerializer, **_ERRORS},
    )
    def patch(self, request: Request, article_id: int) -> Response:
        user = _user(request)
        article = selectors.get_article_for(user, article_id)
        body = ArticleWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        note = changes.pop("note", "")
        if not permissions.can_edit(article, user):
            raise exceptions.PermissionDenied(_("You may not edit this article."))
        services.update_article(article, by=user, note=note, **changes)
        shown = selectors.get_article_for(user, article.pk)
        return Response(_data(user, request, [shown])[0])

"""Page-number pagination whose ``count`` stops at a cap.

``COUNT(*)`` over every ticket a caller may see costs a scan of the whole
table (about 100 ms at a million tickets), on every page. This paginator
fetches one row more than a page to know whether a next page exists (its ids
chosen in a join-free subquery), and
counts at most ``count_cap + 1`` matching rows: below the cap ``count`` is
exact; above it ``count`` is the cap and ``count_capped`` is true ("more than
10,000"). Pages go as deep as the rows go; ``next`` is null on the last page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

M = TypeVar("M", bound=Model)
MAX_OFFSET = 2**63 - 1
Row = TypeVar("Row")


class CappedCountPagination(BasePagination):
    page_size = 50
    page_query_param = "page"
    count_cap = 10_000
    invalid_page_message = PageNumberPagination.invalid_page_message

    def paginate_queryset(
        self,
        queryset: QuerySet[M, Row] | Sequence[Row],
        request: Request,
        view: APIView | None = None,
    ) -> list[Row]:
        if not isinstance(queryset, QuerySet):
            raise TypeError("CappedCountPagination pages querysets only")
        self.request = request
        raw = request.query_params.get(self.page_query_param, "1") or "1"
        try:
            self.number = int(raw)
        except ValueError:
            self.number = 0
        offset = (self.number - 1) * self.page_size
        # PostgreSQL's OFFSET and LIMIT are bigints: a page past them has no rows anyway.
        if self.number < 1 or offset + self.page_size + 1 > MAX_OFFSET:
            raise NotFound(self.invalid_page_message)
        window = slice(offset, offset + self.page_size + 1)
        if queryset.query.distinct:
            rows = list(queryset[window])
        else:
            # Ids chosen on the ticket table alone, then joined: PostgreSQL never joins
            # every filtered row to users and categories only to keep a page of them.
            rows = list(queryset.filter(pk__in=queryset.values("pk")[window]))
        if self.number > 1 and not rows:
            raise NotFound(self.invalid_page_message)
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if not self.has_next:
            self.count, self.capped = offset + len(rows), False  # the last page: exact, free
        else:
            counted = queryset.order_by().values("pk")[: self.count_cap + 1].count()
            self.capped = counted > self.count_cap
            self.count = min(counted, self.count_cap)
        return rows

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "count_capped": self.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "count_capped", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": (
                        f"Matching rows, exact up to {self.count_cap:,}; when "
                        "`count_capped` is true there are more than this."
                    ),
                },
                "count_capped": {
                    "type": "boolean",
                    "description": f"True when more than {self.count_cap:,} rows match.",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number within the paginated result set.",
                "schema": {"type": "integer"},
            }
        ]

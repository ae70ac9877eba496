"""Set-based SQL with values bound server-side as arrays (``INSERT/UPDATE … unnest``).

The SLA sweep and the outbox write thousands of rows per batch; Django's
``bulk_create``/``bulk_update`` prepare every value through its field and
build a CASE per row and column. These helpers give the column names and
array types of model fields and run a statement whose parameters are lists
(psycopg binds them as arrays, in binary with ``%b``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection, models


def column(field: Any) -> str:
    """The quoted column of a concrete model field."""
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{field!r} is not a concrete column")
    return str(connection.ops.quote_name(field.column))


def attname(field: Any) -> str:
    """The attribute that holds the field's column value (``site_id`` for ``site``)."""
    if not isinstance(field, models.Field):
        raise TypeError(f"{field!r} is not a concrete column")
    return str(field.attname)


def array_type(field: Any) -> str:
    """``timestamp with time zone[]`` and the like: the field's database type, as an array."""
    if not isinstance(field, models.Field):
        raise TypeError(f"{field!r} is not a concrete column")
    db_type = field.db_type(connection)
    if db_type is None:
        raise TypeError(f"{field!r} has no database type")
    return f"{db_type}[]"


def table(model: type[models.Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def execute_arrays(sql: str, params: Sequence[list[Any]]) -> list[tuple[Any, ...]]:
    """Run ``sql`` on Django's connection (inside its transaction) with array parameters;
    the rows it returns (an empty list when it returns none)."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql.encode(), list(params))
        return list(cursor.fetchall()) if cursor.description else []

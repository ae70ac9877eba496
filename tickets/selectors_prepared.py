"""Reads whose SQL is compiled once per process (the ticket page's fixed-shape reads).

Django compiles a queryset to SQL every time it is evaluated: resolving each filter, join,
selected column and ordering costs 0.2–1 ms of Python per query (the ticket with its
seven related rows, ~1 ms). The ticket page runs a couple of dozen reads whose shape never
changes, only their values (the ticket's id, the viewer's id): compiling them was about a
quarter of the page's time.

``Prepared`` builds such a read once per process and database, with stand-in values for its
arguments, and keeps Django's compiled SQL and row layout. Each call runs that SQL with the
real values through Django's own cursor (so it is counted, logged and wrapped like every
other query: the request log, ``assertNumQueries``) and turns the rows into model instances
as ``QuerySet`` does (``select_related`` rows included, annotations as attributes).

Only for reads whose SQL does not depend on the values passed:

* every argument must reach the SQL as a parameter of its own (``filter(ticket_id=arg)``;
  not ``None``, a list for ``__in``, a pattern for ``__icontains``, a limit);
* the builder must not read anything that changes between calls (the clock, settings, the
  active language or time zone when they would end up in the SQL): pass it as an argument.

Both are checked when the read is first compiled (it is compiled twice, with two sets of
stand-ins: the SQL and every other parameter must come out the same, and each stand-in must
appear as a parameter), so a builder that breaks them fails loudly on first use instead of
answering with a stale value. What depends on the viewer in other ways (may they read
internal entries?) is a separate ``Prepared`` per variant. No ``prefetch_related``.

Each read is a prepared statement of the database connection (see below): PostgreSQL
plans it once per connection instead of on every page.

**One round trip for many reads.** ``batched(reads)`` sends several prepared reads as one
statement list (``EXECUTE <read>(…);`` each with its own values: Django counts and logs it
as one query, its text naming every statement) and keeps their rows for the rest of the
block: a read asked for inside it with the same arguments takes its rows instead of a round
trip of its own (once; asked again, it queries). On a busy machine each round trip also
waits for the database process to be scheduled: the ticket page's panels read a dozen small
row sets, and reading them in one trip took ~10 ms off the page under load. A read not in
the batch, or one whose arguments differ, simply queries as usual: a batch that guesses
wrong costs a wasted statement, never a wrong answer. ``register_page_reads`` lets the apps
whose panels show on the ticket page name the reads their panels will make there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

M = TypeVar("M", bound=Model)

# Stand-ins per argument type, chosen so no real value or constant of a builder equals them
# (within the 32-bit range: Django answers an out-of-range integer lookup without SQL).
_INT_BASE = (2_147_000_000, 2_146_000_000)


def _stand_in(kind: type, index: int, round_: int) -> Any:
    if kind is int:
        return _INT_BASE[round_] + index
    if kind is str:
        return f"\x1fprepared-{round_}-{index}\x1f"
    if kind is dt.datetime:
        return dt.datetime(1901 + round_, 1, 1, 0, 0, 0, index + 1, tzinfo=dt.UTC)
    raise TypeError(f"a prepared read takes int, str or datetime arguments, not {kind!r}")


@dataclass(frozen=True)
class _Compiled:
    db: str
    sql: str
    prepare: str  # PREPARE <name> AS <sql>, its placeholders numbered ($1 …)
    execute: str  # EXECUTE <name>(%s, …)
    name: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, argument index)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expr)
    model: type[Model] | None
    start: int
    end: int
    init_list: tuple[str, ...]
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]


class Prepared(Generic[M]):
    """A read built by ``build(*args)`` (a ``QuerySet``), compiled on first use.

    ``kinds``: the type of each argument (``int``, ``str`` or ``datetime``).
    ``objects(*args)`` returns the model instances, ``first(*args)`` the first one, each
    through one query.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: _Compiled | None = None
        inner = getattr(build, "func", build)  # a functools.partial's function
        self._label = f"{inner.__module__}.{inner.__qualname__}"

    def objects(self, *args: Any) -> list[M]:
        compiled, rows = self._run(args)
        model = compiled.model
        if model is None:
            raise TypeError("a prepared read builds model instances: no values() reads")
        found = []
        seen: dict[tuple[int, Any], Model] = {}
        for row in rows:
            obj = model.from_db(compiled.db, compiled.init_list, row[compiled.start : compiled.end])
            for populator in compiled.populators:
                _populate(populator, row, obj, seen)
            for name, column in compiled.annotations:
                setattr(obj, name, row[column])
            found.append(obj)
        return found  # type: ignore[return-value]

    def first(self, *args: Any) -> M | None:
        found = self.objects(*args)
        return found[0] if found else None

    # --- internals -----------------------------------------------------------------------

    def _run(self, args: Sequence[Any]) -> tuple[_Compiled, list[tuple[Any, ...]]]:
        compiled = self.compiled()
        waiting = _batched.get()
        if waiting:
            rows = waiting.pop((id(self), tuple(args)), None)
            if rows is not None:
                return compiled, rows
        (rows,) = _execute(compiled.db, [(compiled, self._params(compiled, args))])
        return compiled, _converted(rows, compiled, connections[compiled.db])

    def compiled(self) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile()
        return compiled

    def _params(self, compiled: _Compiled, args: Sequence[Any]) -> list[Any]:
        if len(args) != len(self._kinds):
            raise TypeError(f"expected {len(self._kinds)} arguments, got {len(args)}")
        params = list(compiled.params)
        for position, index in compiled.slots:
            params[position] = args[index]
        return params

    def _compile(self) -> _Compiled:
        """Compile with two sets of stand-ins: the same SQL and constants, or refuse."""
        first, second = self._build_with(0), self._build_with(1)
        db = router.db_for_read(first.model)
        compiler = first.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        other_sql, other_params = second.query.get_compiler(using=db).as_sql()
        slots = _slots(params, 0, self._kinds)
        if (
            sql != other_sql
            or len(params) != len(other_params)
            or slots != _slots(other_params, 1, self._kinds)
        ):
            raise ValueError("a prepared read's SQL changed with its argument values")
        taken = {position for position, _index in slots}
        for position, value in enumerate(params):
            if position not in taken and value != other_params[position]:
                raise ValueError(
                    f"parameter {position} of a prepared read changed between two builds "
                    f"({value!r}): pass it as an argument"
                )
        model = None
        start = end = 0
        init_list: tuple[str, ...] = ()
        populators: tuple[Any, ...] = ()
        annotations: tuple[tuple[str, int], ...] = ()
        klass_info = compiler.klass_info
        if klass_info is not None and first._iterable_class is ModelIterable:
            select = compiler.select
            model = klass_info["model"]
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            init_list = tuple(f[0].target.attname for f in select[start:end])
            # Django 5.2's signature (the stubs describe a later one).
            populators = tuple(get_related_populators(klass_info, select, db))  # type: ignore[call-arg]
            annotations = tuple(compiler.annotation_col_map.items())
        columns = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = tuple(
            (column, tuple(found[0]), found[1])
            for column, found in compiler.get_converters(columns).items()
        )
        numbered, kept = _numbered(sql, params, taken)
        name = _statement_name(self._label, numbered)
        # The EXECUTE's values: the arguments' (by slot) and the constants not written in.
        where = {position: index for index, position in enumerate(kept)}
        arguments = f"({', '.join(['%s'] * len(kept))})" if kept else ""
        return _Compiled(
            db=db,
            sql=sql,
            prepare=f"PREPARE {name} AS {numbered}",
            execute=f"EXECUTE {name}{arguments}",
            name=name,
            params=tuple(params[position] for position in kept),
            slots=tuple((where[position], index) for position, index in slots),
            converters=converters,
            model=model,
            start=start,
            end=end,
            init_list=init_list,
            populators=populators,
            annotations=annotations,
        )

    def _build_with(self, round_: int) -> QuerySet[M]:
        queryset = self._build(*(_stand_in(k, i, round_) for i, k in enumerate(self._kinds)))
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise ValueError("a prepared read cannot prefetch: run a second prepared read")
        return queryset


def _slots(
    params: Sequence[Any], round_: int, kinds: Sequence[type]
) -> tuple[tuple[int, int], ...]:
    """Where each argument's stand-in landed among the parameters (each at least once)."""
    slots: list[tuple[int, int]] = []
    for index, kind in enumerate(kinds):
        stand_in = _stand_in(kind, index, round_)
        positions = [
            p for p, value in enumerate(params) if type(value) is kind and value == stand_in
        ]
        if not positions:
            raise ValueError(f"argument {index} of a prepared read is not a parameter of its SQL")
        slots.extend((p, index) for p in positions)
    return tuple(sorted(slots))


def _populate(populator: Any, row: tuple[Any, ...], owner: Model, seen: dict[Any, Any]) -> None:
    """Django's ``RelatedPopulator.populate``, with one instance per related row: the
    timeline's fifty entries by the same engineer share one ``User``, as prefetched rows
    do (the same relation only: its columns are the same)."""
    if populator.reorder_for_init:
        data = populator.reorder_for_init(row)
    else:
        data = row[populator.cols_start : populator.cols_end]
    pk = data[populator.pk_idx]
    obj = None
    if pk is not None:
        key = (id(populator), pk)
        obj = seen.get(key)
        if obj is None:
            obj = seen[key] = populator.model_cls.from_db(populator.db, populator.init_list, data)
            for inner in populator.related_populators:
                _populate(inner, row, obj, seen)
    populator.local_setter(owner, obj)
    if obj is not None:
        populator.remote_setter(obj, owner)


def _converted(
    rows: list[tuple[Any, ...]], compiled: _Compiled, connection: Any
) -> list[tuple[Any, ...]]:
    if not compiled.converters:
        return rows
    return [_convert(row, compiled, connection) for row in rows]


def _convert(row: tuple[Any, ...], compiled: _Compiled, connection: Any) -> tuple[Any, ...]:
    values = list(row)
    for column, converters, expression in compiled.converters:
        value = values[column]
        for converter in converters:
            value = converter(value, expression, connection)
        values[column] = value
    return tuple(values)


# --- statements prepared once per database connection -------------------------------------

# PostgreSQL spends longer parsing and planning these reads than running them (the ticket
# with its seven related rows: ~3 ms of the database's time to plan, 0.2 ms to run): each is
# sent as a prepared statement, ``PREPARE``d in the same round trip as its first
# ``EXECUTE`` on a connection (so a read is one query whether its connection has prepared it
# or not), then only executed. Django keeps connections (``CONN_MAX_AGE``); a new connection
# prepares again. Prepared statements outlive transactions, rolled back or not.

# SQLSTATEs that mean this process's record of a connection's statements is wrong: one
# prepared by a round trip that then failed, a statement gone (``DEALLOCATE`` elsewhere), or
# a table changed under a statement (a migration while the process ran).
_OUT_OF_STEP = {"42P05", "26000", "0A000"}


@dataclass
class _Statements:
    """The statements this process prepared on one database connection."""

    raw: Any  # the DB-API connection they live on
    names: set[str]
    reset: bool = False  # forget every statement first (the record may be wrong)


def _statements(connection: Any) -> _Statements:
    found: _Statements | None = getattr(connection, "_prepared_statements", None)
    if found is None or found.raw is not connection.connection:
        found = _Statements(connection.connection, set())
        connection._prepared_statements = found
    return found


def _execute(db: str, items: list[tuple[_Compiled, list[Any]]]) -> list[list[tuple[Any, ...]]]:
    """Each statement's rows, all in one round trip (one query)."""
    connection = connections[db]
    with connection.cursor() as cursor:
        state = _statements(connection)
        try:
            return _send(cursor, state, items)
        except DatabaseError as exc:
            if getattr(exc.__cause__, "sqlstate", None) not in _OUT_OF_STEP or (
                connection.in_atomic_block
            ):
                raise  # (inside a transaction: the next use starts from nothing)
            return _send(cursor, state, items)


def _send(
    cursor: Any, state: _Statements, items: list[tuple[_Compiled, list[Any]]]
) -> list[list[tuple[Any, ...]]]:
    statements = ["DEALLOCATE ALL"] if state.reset else []
    rows_of = [False] * len(statements)  # which statements answer rows (the EXECUTEs)
    params: list[Any] = []
    new = set()
    for compiled, values in items:
        if compiled.name not in state.names and compiled.name not in new:
            statements.append(compiled.prepare)
            rows_of.append(False)
            new.add(compiled.name)
        statements.append(compiled.execute)
        rows_of.append(True)
        params.extend(values)
    try:
        cursor.execute(";\n".join(statements), params)
        answers = []
        for index, rows in enumerate(rows_of):
            if index and not cursor.nextset():
                raise RuntimeError("a batch answered fewer statements than it sent")
            if rows:
                answers.append(cursor.fetchall())
    except Exception:
        # Which of the statements got prepared is not known: start from nothing next time.
        state.names.clear()
        state.reset = True
        raise
    if len(answers) != len(items):
        raise RuntimeError("a batch answered fewer statements than it sent")
    if state.reset:
        state.names.clear()
        state.reset = False
    state.names.update(new)
    return answers


def _statement_name(label: str, sql: str) -> str:
    """``sd_<where it is built>_<its SQL's digest>``, within PostgreSQL's 63 characters."""
    digest = hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:12]
    where = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[-40:]
    return f"sd_{where}_{digest}"


def _numbered(sql: str, params: Sequence[Any], taken: set[int]) -> tuple[str, tuple[int, ...]]:
    """The statement to prepare: Django's ``%s`` placeholders of the arguments (``taken``)
    as ``$1``, ``$2`` …, its constants (the kinds in a timeline's ``IN``, a flag) written in
    as literals, so an ``EXECUTE`` carries only what changes; and which parameters it still
    takes. A literal ``%%`` stays as it is (the text goes through the driver's ``%``
    formatting, with the ``EXECUTE``'s values)."""
    kept: list[int] = []
    position = -1

    def number(match: re.Match[str]) -> str:
        nonlocal position
        if match.group() == "%%":
            return "%%"
        position += 1
        if position >= len(params):
            raise ValueError("a prepared read's SQL has more placeholders than parameters")
        literal = None if position in taken else _literal(params[position])
        if literal is not None:
            return literal
        kept.append(position)
        return f"${len(kept)}"

    numbered = re.sub(r"%%|%s", number, sql)
    if position + 1 != len(params):
        raise ValueError("a prepared read's SQL has fewer placeholders than parameters")
    return numbered, tuple(kept)


def _literal(value: Any) -> str | None:
    """A constant as SQL (``%`` doubled for the driver's formatting), or ``None`` when it
    stays a parameter: text, whole numbers and flags only."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "\x00" not in value and "\\" not in value:
        return "'" + value.replace("'", "''").replace("%", "%%") + "'"
    return None


# --- one round trip for many reads --------------------------------------------------------

Read = tuple["Prepared[Any]", tuple[Any, ...]]

# The rows a batch read and no read has taken yet, by (read, arguments).
_batched: ContextVar[dict[tuple[int, tuple[Any, ...]], list[tuple[Any, ...]]] | None] = ContextVar(
    "prepared_batched", default=None
)


@contextmanager
def batched(reads: Iterable[Read]) -> Iterator[None]:
    """Run ``reads`` (each a prepared read and its arguments) in one round trip; inside the
    block, each of them asked for with the same arguments answers from what was read."""
    wanted: dict[tuple[int, tuple[Any, ...]], Read] = {}
    for prepared, args in reads:
        wanted.setdefault((id(prepared), tuple(args)), (prepared, tuple(args)))
    found = _run_together(list(wanted.values())) if wanted else {}
    token = _batched.set({**(_batched.get() or {}), **found})
    try:
        yield
    finally:
        _batched.reset(token)


def _run_together(reads: list[Read]) -> dict[tuple[int, tuple[Any, ...]], list[tuple[Any, ...]]]:
    compiled = [(prepared, prepared.compiled(), args) for prepared, args in reads]
    databases = {c.db for _p, c, _a in compiled}
    if len(databases) != 1:
        raise ValueError("a batch reads from one database")
    db = databases.pop()
    answers = _execute(db, [(c, prepared._params(c, args)) for prepared, c, args in compiled])
    connection = connections[db]
    return {
        (id(prepared), args): _converted(rows, c, connection)
        for (prepared, c, args), rows in zip(compiled, answers, strict=True)
    }


# The reads the ticket page's panels will make, named by the apps that own the panels
# (``register_page_reads``): each function gets the ticket and the viewer and returns the
# reads (a prepared read and its arguments) its panels will ask for on that page.
PageReads = Callable[[Any, Any], Iterable[Read]]
_page_reads: list[PageReads] = []


def register_page_reads(reads: PageReads) -> None:
    if reads not in _page_reads:
        _page_reads.append(reads)


def page_reads(ticket: Any, viewer: Any) -> list[Read]:
    """Every registered app's reads for ``viewer``'s page of ``ticket``."""
    return [read for reads in _page_reads for read in reads(ticket, viewer)]

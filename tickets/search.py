"""Ticket search: Chinese-aware full-text vectors, trigram matches, ranked and bounded.

**What is indexed.** Two ``tsvector`` columns on ``Ticket`` in PostgreSQL's ``simple``
configuration, filled with words that jieba cut (``cut_for_search``: "投影仪" is stored as
"投影" and "投影仪", so either finds it). ``search_document`` holds what the requester may
read: the number and its parts (A), the title (A), the requester and the device (B), the
description and the diagnosis and solution texts (C), the public replies (D).
``search_notes`` holds the internal notes, matched for people who may read them only.

**Who keeps them.** The services: ``refresh_ticket`` after filing and after an edit of
the details (a full rebuild, three queries); ``add_words`` after a reply, a note, a
diagnosis, a solution, a verification note or a reason (one ``UPDATE`` appending the new
words); ``backfill`` fills existing rows in short batches (``manage.py backfill_search``).

**Matching.** The query is cut the same way (jieba's precise mode, so "投影仪" asks for the
word, which the stored sub-words also satisfy) into words ANDed, the last one a prefix
(``word:*``, as people type; digits match whole: the number's parts are stored whole and
partial numbers go through the trigram index),
OR the number or title by their text, each shape of query through its own index (see
``parse``: partial numbers like "0001" or "1125-00", a number's beginning, a piece of a
word), OR the exact number.

**Bounded ranking.** A common word matches hundreds of thousands of tickets; ranking them
all costs seconds. The matches are first cut to the newest ``CANDIDATES`` (PostgreSQL walks
the newest-first index and stops, or reads the few matches from the GIN indexes when they
are rare), and only those are ranked: exact number first, then a number containing the
query, then ``ts_rank``, then newest. A result list of ``CANDIDATES`` rows says "more match;
add a word or a filter".
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Lookup,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Site
from accounts.permissions import capabilities
from servicedesk.lib.api_http import text_problem
from tickets.choices import OPEN_STATES, MessageKind, TicketState
from tickets.models import Message, Ticket

log = logging.getLogger(__name__)

# Rows ranked per search: the newest matches when more match (see the module docstring).
CANDIDATES = 200
# Expected matches from which walking the newest tickets beats collecting every match.
BROAD_MATCHES = 15_000
QUERY_MAX = 200  # characters a query may have
QUERY_WORDS = 10  # words of a query that count
WORD_MAX = 60  # a longer "word" is a blob (base64, a hash): not indexed
# A ticket's indexed text stops here: a tsvector may not pass 1 MB, and cutting 100,000
# characters takes jieba about 0.1 s.
DOCUMENT_CHARS = 100_000
NOTES_CHARS = 100_000
# Appending a message stops once the stored vector is this large (bytes), far below 1 MB.
APPEND_UNTIL_BYTES = 600_000
# Function words that would make a query ask for something no ticket stores on its own.
STOPWORDS = frozenset("的了是在和与或及吗呢吧啊也就都而被把之其着得地")
NUMBER_RE = re.compile(r"[A-Za-z]{1,8}-\d{8}-\d{1,8}")
_NUMBER_START = re.compile(r"IT-[\d-]*", re.IGNORECASE)
_NUMBER_PIECE = re.compile(r"[\d-]+")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")

_jieba_lock = threading.Lock()
_jieba: Any = None


def _tokenizer() -> Any:
    """jieba's tokenizer, its dictionary loaded once per process on first use (~0.6 s)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba  # type: ignore[import-untyped]  # heavy: loaded on first use only

                jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" on stderr
                jieba.initialize()
                _jieba = jieba.dt
    return _jieba


def words(text: str, *, for_search: bool = True) -> list[str]:
    """The words of ``text`` as stored (``for_search``: with jieba's sub-words) or asked.

    Lower case, NFKC (full-width letters and digits become plain ones), runs of letters
    and digits only: ``IT-20261125-0001`` gives ``it``, ``20261125``, ``0001``.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    if not text.strip():
        return []
    tokenizer = _tokenizer()
    pieces: Iterable[str] = tokenizer.cut_for_search(text) if for_search else tokenizer.cut(text)
    return [
        word
        for piece in pieces
        for word in _WORD.findall(piece)
        if len(word) <= WORD_MAX and word not in STOPWORDS
    ]


def number_parts(number: str) -> str:
    """``IT-20261125-0001`` as the words stored for it: ``20261125 0001``. The prefix is
    left out: every ticket has it, and a word in every row only slows the index down."""
    return " ".join(number.split("-")[1:]) if NUMBER_RE.fullmatch(number) else number


def _joined(parts: Iterable[str], limit: int) -> str:
    """The words of ``parts``, space-joined, from at most ``limit`` characters of text."""
    kept: list[str] = []
    left = limit
    for part in parts:
        if not part or left <= 0:
            continue
        piece = part[:left]
        left -= len(piece)
        kept.extend(words(piece))
    return " ".join(kept)


# --- the stored vectors -------------------------------------------------------------

# One UPDATE writes both vectors. Weights: A number and title, B people and device,
# C the ticket's own texts, D the public conversation.
_VECTOR_SQL = (
    "setweight(to_tsvector('simple', {a}), 'A') || setweight(to_tsvector('simple', {b}), 'B')"
    " || setweight(to_tsvector('simple', {c}), 'C') || setweight(to_tsvector('simple', {d}), 'D')"
)
_NOTES_SQL = "CASE WHEN {n} = '' THEN NULL ELSE to_tsvector('simple', {n}) END"

_TICKET_FIELDS = (
    "id",
    "number",
    "title",
    "description",
    "affected_system",
    "scenario",
    "root_cause",
    "impact_scope",
    "solution_plan",
    "solution",
    "verification_note",
    "cancel_reason",
    "requester__username",
    "requester__display_name",
    "requester__first_name",
    "requester__last_name",
    "asset__tag",
    "asset__vendor",
    "asset__model",
)


@dataclass(frozen=True)
class Document:
    """The words of one ticket, by weight, and those of its internal notes."""

    a: str
    b: str
    c: str
    d: str
    notes: str


def document(row: dict[str, Any], messages: Sequence[tuple[str, str]]) -> Document:
    """The words to store for a ticket: ``row`` has ``_TICKET_FIELDS``, ``messages`` the
    ticket's (kind, body) pairs in order."""
    budget = DOCUMENT_CHARS
    a = _joined([number_parts(row["number"]), row["title"]], budget)
    people = [
        row["requester__username"],
        row["requester__display_name"],
        row["requester__first_name"],
        row["requester__last_name"],
        row["asset__tag"] or "",
        row["asset__vendor"] or "",
        row["asset__model"] or "",
        row["affected_system"],
    ]
    b = _joined(people, budget)
    own = [
        row["description"],
        row["scenario"],
        row["root_cause"],
        row["impact_scope"],
        row["solution_plan"],
        row["solution"],
        row["verification_note"],
        row["cancel_reason"],
    ]
    used = sum(len(p) for p in (row["number"], row["title"], *people))
    c = _joined(own, budget - used)
    used += sum(len(p) for p in own)
    public = [body for kind, body in messages if kind != MessageKind.INTERNAL]
    d = _joined(public, budget - used)
    internal = [body for kind, body in messages if kind == MessageKind.INTERNAL]
    return Document(a=a, b=b, c=c, d=d, notes=_joined(internal, NOTES_CHARS))


def _documents(ids: Sequence[int]) -> dict[int, Document]:
    """Two queries: the tickets with their requester and asset, then their messages."""
    rows = {r["id"]: r for r in Ticket.objects.filter(pk__in=ids).values(*_TICKET_FIELDS)}
    messages: dict[int, list[tuple[str, str]]] = {pk: [] for pk in rows}
    for ticket_id, kind, body in (
        Message.objects.filter(ticket_id__in=list(rows))
        .order_by("ticket_id", "created_at", "pk")
        .values_list("ticket_id", "kind", "body")
    ):
        messages[ticket_id].append((kind, body))
    return {pk: document(row, messages[pk]) for pk, row in rows.items()}


def refresh_ticket(ticket_id: int) -> None:
    """Rebuild one ticket's vectors from what it holds now (three queries).

    Call it in the service's transaction, after the change is saved: the row is locked
    there, so no other writer's words are lost between the read and the write.
    """
    found = _documents([ticket_id])
    if ticket_id in found:
        _write(found)


def add_words(ticket_id: int, *texts: str, weight: str = "D", internal: bool = False) -> None:
    """Append new text's words to the ticket's vector (one UPDATE, no read).

    A public reply (D), a diagnosis or a solution (C) go to ``search_document``, an internal
    note to ``search_notes``. Text replaced later (a second diagnosis) stays findable, as it
    stays on the timeline. A vector already near PostgreSQL's 1 MB limit stays as it is.
    """
    if weight not in ("A", "B", "C", "D"):
        raise ValueError(f"weight {weight!r}")
    text = _joined(texts, DOCUMENT_CHARS)
    if not text:
        return
    column = "search_notes" if internal else "search_document"
    vector = (
        "to_tsvector('simple', %s)"
        if internal
        else f"setweight(to_tsvector('simple', %s), '{weight}')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE tickets_ticket SET {column} = CASE "  # noqa: S608 - constants only
            f"WHEN {column} IS NULL THEN {vector} "
            f"WHEN pg_column_size({column}) < %s THEN {column} || {vector} "
            f"ELSE {column} END WHERE id = %s",
            [text, APPEND_UNTIL_BYTES, text, ticket_id],
        )


def _write(found: dict[int, Document]) -> None:
    """Both vectors of every ticket in ``found`` in one UPDATE over arrays."""
    ids = list(found)
    cols: dict[str, list[str]] = {k: [] for k in ("a", "b", "c", "d", "n")}
    for pk in ids:
        doc = found[pk]
        for key, value in zip("abcdn", (doc.a, doc.b, doc.c, doc.d, doc.notes), strict=True):
            cols[key].append(value)
    vector = _VECTOR_SQL.format(a="u.a", b="u.b", c="u.c", d="u.d")
    notes = _NOTES_SQL.format(n="u.n")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE tickets_ticket AS t SET search_document = {vector}, "  # noqa: S608
            f"search_notes = {notes} "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[]) AS u(id, a, b, c, d, n) WHERE t.id = u.id",
            [ids, cols["a"], cols["b"], cols["c"], cols["d"], cols["n"]],
        )


def backfill(
    *,
    batch_size: int = 500,
    everything: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fill the vectors of existing tickets in id order, each batch its own transaction.

    Only tickets without a vector unless ``everything``. A batch locks its rows
    (``FOR NO KEY UPDATE``, as the services do), so a reply written meanwhile waits for
    the batch (well under a second) instead of having its words overwritten. Safe to run
    again and to stop at any time; returns the number of tickets written.
    """
    done = 0
    last = 0
    missing = "" if everything else "AND search_document IS NULL "
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM tickets_ticket WHERE id > %s "  # noqa: S608 - constants only
                f"{missing}ORDER BY id LIMIT %s FOR NO KEY UPDATE",
                [last, batch_size],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return done
            _write(_documents(ids))
        last = ids[-1]
        done += len(ids)
        if progress:
            progress(done, last)


# --- the query ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    """What a typed query asks for: full-text words, and one way to match the number or
    the title by their text."""

    text: str
    tsquery: str  # "'投影仪' & 'print':*", or "" when the query has no word
    number: str = ""  # the query as an exact ticket number
    number_start: str = ""  # the beginning of a number ("IT-2025")
    number_piece: str = ""  # ILIKE pattern: digits inside a number ("%1120-0001%")
    title_piece: str = ""  # ILIKE pattern: text inside a title ("%rinte%")

    @property
    def is_empty(self) -> bool:
        return not (
            self.tsquery
            or self.number
            or self.number_start
            or self.number_piece
            or self.title_piece
        )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse(query: str) -> ParsedQuery:
    """Cut a typed query into what ``search`` matches. Callers bound its length first.

    Which text match, by the query's shape (each picked for an index that answers it
    without reading rows that cannot match):

    - a whole number: the number, exactly (unique index);
    - the beginning of one ("IT-2025", "it-20251124-00"), and nothing else: a range of the
      number's b-tree, newest number first (numbers sort by date; "IT-" trigrams are in
      every number, and the newest tickets of 2026 hide those of 2025 from a walk by date);
    - digits and dashes of three digits or more ("0001", "1120-0001"): inside the number,
      by trigram;
    - anything else of three characters or more: inside the title, by trigram (a piece of a
      word: "rinte" finds "Printer").
    """
    text = " ".join(query.split())
    normalized = unicodedata.normalize("NFKC", text)
    number = normalized.upper() if NUMBER_RE.fullmatch(normalized) else ""
    # A number in the query asks for its date and sequence (what ``document`` stores).
    asked = NUMBER_RE.sub(lambda m: number_parts(m.group(0)), normalized)
    found = list(dict.fromkeys(words(asked, for_search=False)))[:QUERY_WORDS]
    # Whole words, and the last one as a prefix ("print" finds "printer", "投影" 投影仪):
    # a prefix gathers every ticket of every word it starts, so "req:*" ANDed with a rare
    # word still reads a million entries, while a whole word lets GIN skip to the rare one.
    # Digits match whole: partial numbers go through the trigram index.
    terms = [f"'{word}'" for word in found]
    if found and not _DIGITS.fullmatch(found[-1]):
        terms[-1] += ":*"
    parsed = ParsedQuery(text=text, tsquery=" & ".join(terms), number=number)
    if number:
        return parsed
    if _NUMBER_START.fullmatch(normalized):  # what it is: no words ("it", "2025") asked
        return replace(parsed, tsquery="", number_start=normalized.upper())
    if _NUMBER_PIECE.fullmatch(normalized) and len(_DIGIT.findall(normalized)) >= 3:
        return replace(parsed, number_piece=f"%{_escaped(normalized)}%")
    if len(normalized) >= 3:
        return replace(parsed, title_piece=f"%{_escaped(normalized)}%")
    return parsed


class _ILike(Lookup[Any]):
    """``column ILIKE pattern``: what the trigram GIN indexes serve (Django's
    ``icontains`` writes ``UPPER(column) LIKE UPPER(…)``, which they do not)."""

    lookup_name = "search_ilike"
    operator = "ILIKE"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} {self.operator} {rhs}", (*lhs_params, *rhs_params)


def _number_range(start: str) -> Q:
    """Numbers beginning with ``start``, as a b-tree range: from ``IT-2025`` up to (not
    including) ``IT-2026``. A trailing dash goes first: collations that skip punctuation
    would put ``IT-20251124.`` before ``IT-20251124-0001``."""
    start = start.rstrip("-")
    return Q(number__gte=start, number__lt=start[:-1] + chr(ord(start[-1]) + 1))


@dataclass(frozen=True)
class Filters:
    """The search's own filters: states (any when empty), submitted within [since, before),
    the site (any when ``None``)."""

    states: tuple[str, ...] = ()
    since: dt.datetime | None = None
    before: dt.datetime | None = None
    site_id: int | None = None

    def apply(self, qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.states:
            qs = qs.filter(state__in=self.states)
        if self.site_id is not None:
            qs = qs.filter(site_id=self.site_id)
        if self.since:
            qs = qs.filter(submitted_at__gte=self.since)
        if self.before:
            qs = qs.filter(submitted_at__lt=self.before)
        return qs


def matching(
    user: AnyUser, parsed: ParsedQuery, within: QuerySet[Ticket]
) -> tuple[QuerySet[Ticket], Any]:
    """``within`` (already scoped to what ``user`` may see) cut to the matches, and the
    rank expression. Internal notes match only for people who may read them."""
    conditions: list[Any] = []
    rank: Any = Value(0.0)
    if parsed.tsquery:
        query = SearchQuery(parsed.tsquery, search_type="raw", config="simple")
        conditions.append(Q(search_document=query))
        rank = Coalesce(SearchRank(F("search_document"), query), Value(0.0))
        if capabilities(user).view_internal:
            conditions.append(Q(search_notes=query))
            rank = rank + Coalesce(SearchRank(F("search_notes"), query), Value(0.0))
    if parsed.number:
        conditions.append(Q(number=parsed.number))
    if parsed.number_start:
        conditions.append(_number_range(parsed.number_start))
    if parsed.number_piece:
        conditions.append(_ILike(F("number"), Value(parsed.number_piece)))
    if parsed.title_piece:
        conditions.append(_ILike(F("title"), Value(parsed.title_piece)))
    if not conditions:
        return within.none(), rank
    match = Q(conditions[0])
    for condition in conditions[1:]:
        match |= Q(condition)
    return within.filter(match), rank


@dataclass(frozen=True)
class Result:
    """Ticket ids, best first; ``capped`` when more tickets match than were ranked."""

    ids: list[int]
    capped: bool


def _estimated_rows(matches: QuerySet[Ticket]) -> float:
    """PostgreSQL's estimate of how many rows ``matches`` has (planned, not run)."""
    if matches.query.is_empty():  # a filter that can match nothing (an unknown assignee)
        return 0.0
    plan = json.loads(matches.order_by().values("pk").explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


def search(
    user: AnyUser, parsed: ParsedQuery, within: QuerySet[Ticket], *, limit: int | None = None
) -> Result:
    """The best matches among ``within`` (already scoped to ``user``): two queries.

    The newest ``limit`` matches are ranked (plus the exact number, wherever it is): with
    a common word that is what PostgreSQL can rank in milliseconds. How to find the newest
    is decided here, from PostgreSQL's estimate of the matches (the first query, an
    ``EXPLAIN``), not left to the planner: its cost model prices reading a row in date
    order and testing it at almost nothing, so for a rare or misspelt word it walks the
    whole table newest first looking for matches that are not there (seconds), where the
    indexes would have handed it the few matches at once.

    - Broad (``BROAD_MATCHES`` or more expected): walk the tickets newest first (by date,
      or by number when only a number's beginning is asked) and stop at ``limit``
      matches: with one ticket in 70 matching that is some 15,000 rows at most.
    - Otherwise: collect every match from the GIN and b-tree indexes and sort them (the
      sort key is an expression, so no index can offer the walk instead).
    """
    limit = limit or CANDIDATES
    matches, rank = matching(user, parsed, within)
    if parsed.is_empty:
        return Result(ids=[], capped=False)
    field = "number" if parsed.number_start else "submitted_at"
    if _estimated_rows(matches) >= BROAD_MATCHES:
        order: Any = F(field).desc()
    else:  # the same order, through an expression no index provides
        order = Concat(F(field), Value(""), output_field=CharField()).desc()
        if field == "submitted_at":
            order = ExpressionWrapper(
                F(field) + Value(dt.timedelta(0)), output_field=DateTimeField()
            ).desc()
    newest = matches.order_by(order, "-pk").values("pk")[: limit + 1]
    if parsed.number:  # the exact number, however many newer tickets match
        newest = newest.union(within.filter(number=parsed.number).values("pk"))
    chosen = Q(pk__in=newest)
    in_number: Any = Value(0)
    if parsed.number_piece:
        inside = _ILike(F("number"), Value(parsed.number_piece))
        in_number = Case(When(inside, then=Value(1)), default=Value(0), output_field=IntegerField())
    exact: Any = Value(0)
    if parsed.number:
        exact = Case(
            When(number=parsed.number, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ordered = (
        Ticket.objects.filter(chosen)
        .annotate(
            search_exact=exact,
            search_in_number=in_number,
            search_rank=Coalesce(rank, Value(0.0), output_field=FloatField()),
        )
        .order_by("-search_exact", "-search_in_number", "-search_rank", "-submitted_at", "-pk")
        .values_list("pk", flat=True)
    )
    ids = cast("list[int]", list(ordered))
    return Result(ids=ids[:limit], capped=len(ids) > limit)


def in_order(rows: QuerySet[Ticket], ids: Sequence[int]) -> list[Ticket]:
    """The tickets of ``ids`` from ``rows`` (one query), in the order of ``ids``."""
    found = {t.pk: t for t in rows.filter(pk__in=list(ids))}
    return [found[pk] for pk in ids if pk in found]


# --- the input: one form for the page and the API ------------------------------------

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 31)


class SearchForm(forms.Form):
    """The typed query and the submission dates, in the reader's time zone."""

    q = forms.CharField(label=_("Search"), max_length=QUERY_MAX, required=False)
    submitted_from = forms.DateField(
        label=_("Filed from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    submitted_to = forms.DateField(
        label=_("Filed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_q(self) -> str:
        value = " ".join(str(self.cleaned_data.get("q") or "").split())
        problem = text_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def _clean_date(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            )
        return value

    def clean_submitted_from(self) -> dt.date | None:
        return self._clean_date("submitted_from")

    def clean_submitted_to(self) -> dt.date | None:
        return self._clean_date("submitted_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("submitted_from"), data.get("submitted_to")
        if first and last and first > last:
            self.add_error("submitted_to", _("The end date is before the start date."))
        return data

    def filters(self, states: Sequence[str] = ()) -> Filters:
        """The filters of a valid form; days start at midnight in the reader's zone."""
        zone = timezone.get_current_timezone()
        first, last = self.cleaned_data.get("submitted_from"), self.cleaned_data.get("submitted_to")
        return Filters(
            states=tuple(states),
            since=dt.datetime.combine(first, dt.time.min, tzinfo=zone) if first else None,
            before=(
                dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
                if last
                else None
            ),
        )


OPEN = "open"


def state_choices() -> list[tuple[str, Any]]:  # labels: lazy translations
    return [("", _("All states")), (OPEN, _("Open (not closed yet)")), *TicketState.choices]


class SearchPageForm(SearchForm):
    """The page's form: one state to narrow to, or every open one; for staff, one site of
    ``sites`` (the ones they may name: R7.2). Without ``sites`` the form has no site."""

    state = forms.ChoiceField(label=_("State"), required=False, choices=state_choices)
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All sites"),
    )

    def __init__(self, *args: Any, sites: QuerySet[Site] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        if sites is None:
            del self.fields["site"]
        elif isinstance(field, forms.ModelChoiceField):
            field.queryset = sites

    def filters(self, states: Sequence[str] = ()) -> Filters:
        found = super().filters(states)
        site = self.cleaned_data.get("site")
        return replace(found, site_id=site.pk) if site is not None else found

    def states(self) -> tuple[str, ...]:
        chosen = self.cleaned_data.get("state") or ""
        if chosen == OPEN:
            return tuple(sorted(OPEN_STATES))
        return (chosen,) if chosen else ()

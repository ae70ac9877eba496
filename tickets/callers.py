"""Callers (R1.3): whom an engineer may log a call for, and finding them as they type.

An engineer on the phone knows the caller by a name, a phone number or an employee ID
(工号), typed as heard: "王丽", "frank mil", "138 0210 1001", "+86 135-0755-3003", "e1002".
``find_callers`` answers with at most ``CALLER_RESULTS`` people, the likeliest first: an
exact employee ID or phone number, then a whole name or the start of an employee ID, then
names that start with what was typed, then the rest, by name.

Each way of matching is one an index of ``accounts.User`` answers at 100,000 people
(``accounts`` migration 0004; the numbers are in ``bench/caller_lookup.py``):

- a name word of three characters or more: inside the display name, username, first or
  last name (``ILIKE '%…%'``, trigram GIN per column); a shorter word, at the start of a
  word of them (``ILIKE '王丽%'``, the same indexes: inside, two characters give trigrams
  nothing to look up, and a scan of every name takes 100 ms);
- three digits or more: inside the phone's digits (``User.phone_digits``, trigram GIN),
  whatever spaces, dashes or ``+86`` either side wrote;
- the start of an employee ID, letter case aside (a range of the unique index on
  ``UPPER(employee_id)``).

Only active people, and for staff limited to some sites (``User.limited_to_sites``) only
the people of those sites: they could not open the ticket they filed for anyone else
(``tickets.permissions.serves_site``), so the call form does not offer them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Lookup, Q, QuerySet, Value, When
from django.db.models.functions import Upper
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from accounts.models import NAME_COLUMNS, AnyUser, User
from tickets.permissions import limited_sites

CALLER_RESULTS = 10
QUERY_MAX = 100  # characters; longer is nobody's name or number
NAME_MIN = 2  # characters in all: one character of a name matches a crowd
WORDS_MAX = 3
DIGITS_MIN = 3  # digits inside a phone number: fewer give trigrams nothing to look up
CONTAINS_MIN = 3  # a name word this long is looked for inside names, a shorter one at the start
SUFFIX_MIN = 7  # a number this long at the end of a phone is that phone (no area code)

# A phone number as people write it: digits, spaces, dashes, dots, brackets, a leading +.
_NUMBER = re.compile(r"\+?[\d\s().-]+")
_COUNTRY = re.compile(r"^(?:\+|00)86")


class _ILike(Lookup[Any]):
    """``column ILIKE pattern``: what the trigram GIN indexes serve (Django's ``icontains``
    writes ``UPPER(column) LIKE UPPER(…)``, which they do not)."""

    lookup_name = "caller_ilike"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class CallerQuery:
    """What a typed query asks for. ``text`` is the query as read (NFKC, single spaces)."""

    text: str
    words: tuple[str, ...] = ()  # name words
    digits: str = ""  # a phone number's digits, without +86
    employee_id: str = ""  # upper-cased, for the exact match and the prefix

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.digits or self.employee_id)


def parse(query: str) -> CallerQuery:
    """Cut a typed query into what ``find_callers`` matches; an empty ``CallerQuery`` when
    it is too short, too long or not text at all."""
    text = " ".join(unicodedata.normalize("NFKC", query).split())
    if len(text) < NAME_MIN or len(text) > QUERY_MAX or "\x00" in text:
        return CallerQuery(text=text)
    if _NUMBER.fullmatch(text):
        digits = re.sub(r"\D", "", _COUNTRY.sub("", text))
        return CallerQuery(
            text=text,
            digits=digits if len(digits) >= DIGITS_MIN else "",
            employee_id=text.replace(" ", "").upper(),
        )
    # Chinese names have no spaces: "王 丽" is 王丽 typed with a space.
    words = tuple(dict.fromkeys(text.split()))[:WORDS_MAX]
    if len(words) > 1 and not any(char.isascii() for char in text.replace(" ", "")):
        words = ("".join(words),)
    return CallerQuery(text=text, words=words, employee_id=text.upper() if len(words) == 1 else "")


def callers_for(actor: AnyUser) -> QuerySet[User]:
    """Everyone ``actor`` may log a call for: active people, of their sites when limited."""
    people = User.objects.filter(is_active=True)
    sites = limited_sites(actor)
    if sites is not None:
        people = people.filter(site_id__in=sorted(sites))
    return people


def _employee_id_prefix(prefix: str) -> Q:
    """``UPPER(employee_id)`` from ``prefix`` up to the next prefix: a range of the unique
    index (whose predicate the non-empty test repeats); the ``LIKE`` keeps exactly those
    that start with it, whatever the collation sorts between."""
    upper = Upper("employee_id")
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return (
        ~Q(employee_id="")
        & Q(GreaterThanOrEqual(upper, prefix))
        & Q(LessThan(upper, after))
        & Q(employee_id__istartswith=prefix)
    )


def _name_word(word: str) -> Q:
    pattern = f"%{_like(word)}%" if len(word) >= CONTAINS_MIN else f"{_like(word)}%"
    condition = Q()
    for column in NAME_COLUMNS:
        condition |= Q(_ILike(F(column), Value(pattern)))
    return condition


def _matching(parsed: CallerQuery) -> Q:
    condition = Q()
    if parsed.words:
        words = Q()
        for word in parsed.words:
            words &= _name_word(word)
        condition |= words
    if parsed.digits:
        condition |= Q(_ILike(F("phone_digits"), Value(f"%{parsed.digits}%")))
    if parsed.employee_id:
        condition |= _employee_id_prefix(parsed.employee_id)
    return condition


def _rank(parsed: CallerQuery) -> Case:
    """0: this employee ID or phone number; 1: this whole name, or an employee ID starting
    so; 2: a name starting so; 3: the rest."""
    exact: list[When] = []
    if parsed.employee_id:
        exact.append(When(Q(employee_id__iexact=parsed.employee_id), then=Value(0)))
    if parsed.digits:
        same = Q(phone_digits=parsed.digits) | Q(phone_digits=f"86{parsed.digits}")
        if len(parsed.digits) >= SUFFIX_MIN:
            same |= Q(phone_digits__endswith=parsed.digits)
        exact.append(When(same, then=Value(0)))
    whole = Q()
    starts = Q()
    if parsed.words:
        name = " ".join(parsed.words)  # "王 丽" asks for 王丽
        whole = Q(display_name__iexact=name) | Q(username__iexact=name)
        starts = Q(_ILike(F("display_name"), Value(f"{_like(parsed.words[0])}%")))
    if parsed.employee_id:
        whole |= Q(employee_id__istartswith=parsed.employee_id) & ~Q(employee_id="")
    return Case(
        *exact,
        *([When(whole, then=Value(1))] if whole else []),
        *([When(starts, then=Value(2))] if starts else []),
        default=Value(3),
        output_field=IntegerField(),
    )


def find_callers(actor: AnyUser, query: str) -> tuple[list[User], bool]:
    """Up to ``CALLER_RESULTS`` people ``actor`` may log a call for matching ``query``, the
    likeliest first, and whether more match. One query (with ``limited_sites``' own, once
    per request)."""
    parsed = parse(query)
    if parsed.is_empty:
        return [], False
    people = list(
        callers_for(actor)
        .filter(_matching(parsed))
        .select_related("department", "site")
        .only(
            "username",
            "display_name",
            "first_name",
            "last_name",
            "phone",
            "employee_id",
            "department__name",
            "site__name",
        )
        .order_by(_rank(parsed).asc(), "display_name", "last_name", "first_name", "username")[
            : CALLER_RESULTS + 1
        ]
    )
    return people[:CALLER_RESULTS], len(people) > CALLER_RESULTS

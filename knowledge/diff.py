"""What changed between two revisions of an article, field by field, line by line.

``difflib`` compares the texts as lines; the template shows each line as text (escaped like
any text), marked added, removed or unchanged, so a revision full of markup reads as the
markup that was typed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from knowledge.choices import Audience
from knowledge.labels import status_label
from knowledge.models import ArticleRevision

LineKind = Literal["same", "added", "removed", "gap"]
# Unchanged lines kept around each change; longer unchanged runs fold into a "…" line.
CONTEXT = 3


@dataclass(frozen=True)
class Line:
    kind: LineKind
    text: str
    old: int | None = None  # line number in the older text
    new: int | None = None  # line number in the newer text


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str | Promise
    changed: bool
    lines: list[Line]


def _steps(revision: ArticleRevision) -> str:
    return "\n".join(f"{n}. {step}" for n, step in enumerate(revision.steps or [], start=1))


def _audience(value: str) -> str:
    try:
        return str(Audience(value).label)
    except ValueError:
        return value


FIELDS: list[tuple[str, str | Promise, Callable[[ArticleRevision], str]]] = [
    ("title", _("Title"), lambda r: r.title),
    ("symptom", _("Symptom"), lambda r: r.symptom),
    ("cause", _("Cause"), lambda r: r.cause),
    ("steps", _("Resolution steps"), _steps),
    ("scenarios", _("Applies to"), lambda r: "\n".join(sorted(r.scenarios or []))),
    ("category", _("Category"), lambda r: r.category_slug),
    ("audience", _("Audience"), lambda r: _audience(r.audience)),
    ("status", _("Status"), lambda r: status_label(r.status)),
]


def diff_lines(old: str, new: str, context: int = CONTEXT) -> list[Line]:
    """``old`` → ``new`` as lines: unchanged, removed, added; long unchanged runs folded."""
    a, b = old.splitlines(), new.splitlines()
    out: list[Line] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    groups = matcher.get_grouped_opcodes(context)
    if not groups:  # identical: nothing to show
        return []
    last_old = 0
    for group in groups:
        first_tag, i1, _i2, _j1, _j2 = group[0]
        del first_tag
        if i1 > last_old:
            out.append(Line("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(
                    Line("same", a[i], old=i + 1, new=j1 + (i - i1) + 1) for i in range(i1, i2)
                )
                continue
            out.extend(Line("removed", a[i], old=i + 1) for i in range(i1, i2))
            out.extend(Line("added", b[j], new=j + 1) for j in range(j1, j2))
        last_old = group[-1][2]
    if last_old < len(a):
        out.append(Line("gap", ""))
    return out


def diff_revisions(old: ArticleRevision, new: ArticleRevision) -> list[FieldDiff]:
    """Every field of the article, with its lines when it changed from ``old`` to ``new``."""
    found = []
    for name, label, read in FIELDS:
        before, after = read(old), read(new)
        found.append(
            FieldDiff(
                name=name,
                label=label,
                changed=before != after,
                lines=diff_lines(before, after) if before != after else [],
            )
        )
    return found

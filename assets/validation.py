"""Checking a device's fields, the same way for the API, the pages and each CSV row.

Values come in as people type them (text): a site by its code, an owner by username, a
kind by its code or its name in either language, a date as YYYY-MM-DD. ``clean`` returns
the values to store and, per field, what is wrong; the caller decides whether a wrong
field is a 400 (one device) or a line of the import's report (many).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Site, User
from assets.models import Asset, AssetKind

# The columns of an import file and the API's writable fields, in this order.
FIELDS = ("tag", "kind", "vendor", "model", "os_version", "site", "owner", "warranty_end")
TEXT_FIELDS = ("vendor", "model", "os_version")
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
# Control characters other than tab are refused in every one-line field.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def max_length(name: str, model: type[models.Model] = Asset) -> int:
    """The ``max_length`` of a device's field (or ``model``'s)."""
    found = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    return int(found or 0)


def label(name: str) -> str:
    """A device field's name for people, in the active language."""
    field = Asset._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def kind_names() -> dict[str, str]:
    """Every way of writing a kind (its code, its English and Chinese name), lower-cased."""
    names = {value.lower(): value for value in AssetKind.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.update({str(label).lower(): value for value, label in AssetKind.choices})
    return names


@dataclass
class Lookups:
    """Sites by code and people by username (both lower-cased), loaded once for many rows."""

    sites: dict[str, Site] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=kind_names)

    @classmethod
    def load(cls, *, site_codes: Iterable[str], usernames: Iterable[str]) -> Lookups:
        """Two queries, whatever the number of rows."""
        codes = {c.strip().lower() for c in site_codes if c and c.strip()}
        names = {u.strip().lower() for u in usernames if u and u.strip()}
        sites: dict[str, Site] = {}
        if codes:
            found_sites = Site.objects.annotate(key=Lower("code")).filter(key__in=codes)
            sites = {s.code.lower(): s for s in found_sites}
        users: dict[str, User] = {}
        if names:
            found = User.objects.annotate(key=Lower("username")).filter(
                key__in=names, is_active=True
            )
            users = {u.username.lower(): u for u in found}
        return cls(sites=sites, users=users)


def _one_line(name: str, value: Any, errors: dict[str, str]) -> str:
    text = "" if value is None else str(value).strip()
    limit = max_length(name)
    if len(text) > limit:
        errors[name] = _("At most %(max)d characters (this has %(n)d).") % {
            "max": limit,
            "n": len(text),
        }
    elif _CONTROL.search(text):
        errors[name] = _("Keep this to one line, without control characters.")
    return text


def parse_date(value: Any) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` (also ``/`` or ``.``); ``None`` for empty; ``ValueError``."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(*(int(part) for part in match.groups()))


def clean(
    raw: Mapping[str, Any], lookups: Lookups, *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values to store for the fields present in ``raw`` (all of them unless
    ``partial``), and the errors by field. Tag uniqueness is the caller's to check."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    wanted = [name for name in FIELDS if not partial or name in raw]
    for name in wanted:
        value = raw.get(name)
        if name == "tag":
            tag = _one_line("tag", value, errors)
            if not tag and "tag" not in errors:
                errors["tag"] = _("This field is required.")
            values["tag"] = tag
        elif name == "kind":
            text = "" if value is None else str(value).strip()
            kind = lookups.kinds.get(text.lower())
            if kind is None:
                errors["kind"] = (
                    _("This field is required.")
                    if not text
                    else _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": text[:40], "choices": ", ".join(AssetKind.values)}
                )
            values["kind"] = kind or ""
        elif name in TEXT_FIELDS:
            values[name] = _one_line(name, value, errors)
        elif name == "site":
            code = "" if value is None else str(value).strip()
            site = lookups.sites.get(code.lower()) if code else None
            if code and site is None:
                errors["site"] = _("No site has the code “%(code)s”.") % {"code": code[:40]}
            values["site"] = site
        elif name == "owner":
            username = "" if value is None else str(value).strip()
            owner = lookups.users.get(username.lower()) if username else None
            if username and owner is None:
                errors["owner"] = _("Nobody active has the username “%(name)s”.") % {
                    "name": username[:40]
                }
            values["owner"] = owner
        elif name == "warranty_end":
            try:
                values["warranty_end"] = parse_date(value)
            except ValueError:
                errors["warranty_end"] = _("Give a date as YYYY-MM-DD.")
                values["warranty_end"] = None
    return values, errors

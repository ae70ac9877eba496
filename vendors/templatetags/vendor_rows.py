"""A vendor case's timeline entry (``vendors/partials/timeline_entry.html``), in Python: a
long history shows a dozen of them on the ticket page, and each cost the template engine a
context and a dozen lookups. ``tickets.templatetags.ticket_tags`` calls it directly."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from servicedesk.template_builtins import field, moment, text
from tickets.models import TicketEvent
from tickets.templatetags.ticket_tags import iso_datetime, local_minute
from vendors.models import VendorCase

register = template.Library()


@functools.lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    """The words written below in ``language`` (the active one), translated once per process:
    ``makemessages`` reads these calls (none inside an f-string)."""
    return {
        "reference": _("Vendor's reference"),
        ": ": _(": "),
        "Vendor": _("Vendor"),
        "The update was due at": _("The update was due at"),
        "Update due at": _("Update due at"),
        "Opened %(at)s by %(name)s": _("Opened %(at)s by %(name)s"),
        "Closed %(at)s by %(name)s": _("Closed %(at)s by %(name)s"),
        "Every 2 hours, around the clock; a public reply to the requester counts.": _(
            "Every 2 hours, around the clock; a public reply to the requester counts."
        ),
        "Every 2 working hours; a public reply to the requester counts.": _(
            "Every 2 working hours; a public reply to the requester counts."
        ),
        "due": _("due"),
        "What the vendor said": _("What the vendor said"),
        "Outcome": _("Outcome"),
        "Record what the vendor said": _("Record what the vendor said"),
        "Record update": _("Record update"),
        "Close the case": _("Close the case"),
        "resumes": _("The ticket stops waiting on the vendor and its resolution clock runs again."),
        "Close case": _("Close case"),
        "Reported to the vendor": _("Reported to the vendor"),
    }


@register.simple_tag
def vendor_entry(event: TicketEvent) -> SafeString:
    """The vendor, what the vendor said (an update), and when an update was (is) due."""
    w = _words(get_language() or "")
    d = event.data if isinstance(event.data, dict) else {}
    colon = w[": "]
    vendor = ""
    if d.get("vendor"):
        vendor = (
            f'<p class="mt-2 mb-0"><span class="text-secondary">{w["Vendor"]}{colon}</span>'
            f'<span class="text-break">{text(d.get("vendor", ""))}</span></p>'
        )
    body = ""
    if event.kind == "vendor_update_recorded" and d.get("body"):
        body = f'<p class="mt-1 mb-0 text-pre-wrap">{text(d.get("body", ""))}</p>'
    due = ""
    if d.get("due_at"):
        label = (
            w["The update was due at"]
            if event.kind == "vendor_reminder_overdue"
            else w["Update due at"]
        )
        due = (
            f'<p class="mt-1 mb-0"><span class="text-secondary">{label}{colon}</span>'
            f"{moment(iso_datetime(d.get('due_at', '')))}</p>"
        )
    return mark_safe(f"{vendor}\n{body}\n{due}\n")  # noqa: S308 - every value was escaped


def _csrf_input(context: template.Context) -> str:
    """``{% csrf_token %}``."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker, not a secret
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{text(token)}">'


def _day_time(value: Any) -> str:
    """``{{ value|date:"Y-m-d H:i" }}``, in the reader's zone."""
    return local_minute(value)


def _name(person: Any) -> str:
    return text(person.name) if person is not None else ""


@register.simple_tag(takes_context=True)
def case_rows(context: template.Context, p: Mapping[str, Any]) -> SafeString:
    """The cases of the panel (``cases_panel.html``), the markup its loop wrote, in Python:
    each case is a few dozen lookups, its updates and files more. ``p``: the panel's
    context (a refused post puts its bound form in it)."""
    w = _words(get_language() or "")
    csrf = _csrf_input(context)
    colon = w[": "]
    number = p["ticket"].number
    # ``get_status_display`` builds the choices' dict on every call.
    statuses = dict(VendorCase._meta.get_field("status").flatchoices)
    out = []
    for row in p["cases"]:
        c = row["case"]
        pk = text(c.pk)
        reference = ""
        if c.vendor_reference:
            reference = (
                f'<div class="text-break">{w["reference"]}'
                f'{colon}<span class="text-reset" data-reference>{text(c.vendor_reference)}</span>'
                "</div>"
            )
        opened = w["Opened %(at)s by %(name)s"] % {
            "at": _day_time(c.opened_at),
            "name": _name(c.opened_by if c.opened_by_id else None),
        }
        closed = ""
        if c.closed_at:
            said = w["Closed %(at)s by %(name)s"] % {
                "at": _day_time(c.closed_at),
                "name": _name(c.closed_by if c.closed_by_id else None),
            }
            closed = f"<div>{said}</div>"
        clock = ""
        cadence = row.get("clock")
        if cadence:
            every = (
                w["Every 2 hours, around the clock; a public reply to the requester counts."]
                if p.get("round_the_clock")
                else w["Every 2 working hours; a public reply to the requester counts."]
            )
            clock = (
                '\n      <div class="d-flex justify-content-between align-items-start gap-2 mt-2 '
                f'vendor-next-update" data-clock="{text(cadence.status)}">\n'
                "        <div>\n"
                f'          <div class="fw-bold small">{text(cadence.name)}</div>\n'
                f'          <div class="text-secondary small">{w["due"]} '
                f"{moment(cadence.due_at)}</div>\n"
                "        </div>\n"
                f'        <span class="badge {text(cadence.css)}">{text(cadence.text)}</span>\n'
                "      </div>\n"
                f'      <p class="text-secondary small mt-1 mb-0">{every}</p>\n      '
            )
        files = ""
        if row.get("evidence"):
            links = "".join(
                f'<li><a href="{text(reverse("tickets:attachment", args=[number, a.pk]))}" '
                'download><i class="ti ti-paperclip me-1" aria-hidden="true"></i>'
                f"{text(a.original_name)}</a></li>"
                for a in row["evidence"]
            )
            files = f'\n        <ul class="list-unstyled small mb-0">{links}</ul>\n        '
        said_by_vendor = ""
        if row.get("updates"):
            items = "".join(
                f'<li class="mb-1"><span class="text-secondary">{moment(u.created_at)} · '
                f"{_name(u.author if u.author_id else None)}</span>"
                f'<div class="text-pre-wrap">{text(u.body)}</div></li>'
                for u in row["updates"]
            )
            said_by_vendor = (
                f'\n      <h3 class="h5 mt-2 mb-1">{w["What the vendor said"]}</h3>\n'
                '      <ol class="list-unstyled small mb-0 vendor-updates">\n'
                f"        {items}\n      </ol>\n      "
            )
        outcome = ""
        if c.close_note:
            outcome = (
                f'<p class="small mt-2 mb-0"><span class="text-secondary">{w["Outcome"]}'
                f'{colon}</span><span class="text-pre-wrap">{text(c.close_note)}</span></p>'
            )
        forms = ""
        if p.get("can_work") and c.status == "open":
            update, close = p["update_form"], p["close_form"]
            update_url = text(reverse("vendors:case_update", args=[number, c.pk]))
            close_url = text(reverse("vendors:case_close", args=[number, c.pk]))
            forms = (
                f'\n      <details class="mt-2"{" open" if update.errors else ""}>\n'
                f"        <summary>{w['Record what the vendor said']}</summary>\n"
                f'        <form method="post" action="{update_url}" class="mt-2" '
                f'id="vendor-update-form">{csrf}\n'
                f"          {field(update['body'])}\n"
                f"          {field(update['share'])}\n"
                '          <button class="btn btn-outline-primary btn-sm" type="submit">'
                f"{w['Record update']}</button>\n"
                "        </form>\n      </details>\n"
                f'      <details class="mt-2"{" open" if close.errors else ""}>\n'
                f"        <summary>{w['Close the case']}</summary>\n"
                f'        <form method="post" action="{close_url}" class="mt-2" '
                f'id="vendor-close-form">{csrf}\n'
                f"          {field(close['outcome'])}\n"
                '          <p class="text-secondary small">'
                f"{w['resumes']}"
                "</p>\n"
                '          <button class="btn btn-outline-secondary btn-sm" type="submit">'
                f"{w['Close case']}</button>\n"
                "        </form>\n      </details>\n      "
            )
        badge = "bg-yellow-lt" if c.status == "open" else "bg-secondary-lt"
        out.append(
            f'\n    <div class="list-group-item" data-case="{pk}" data-status="{text(c.status)}">\n'
            '      <div class="d-flex flex-wrap align-items-center gap-2">\n'
            f'        <strong class="me-auto text-break">{text(c.vendor.name)}</strong>\n'
            f'        <span class="badge {badge}">{text(statuses.get(c.status, c.status))}</span>\n'
            "      </div>\n"
            '      <div class="small text-secondary">\n'
            f"        {reference}\n"
            f"        <div>{opened}</div>\n"
            f"        {closed}\n"
            "      </div>\n"
            f"      {clock}\n"
            '      <details class="mt-2">\n'
            f'        <summary class="small">{w["Reported to the vendor"]}</summary>\n'
            f'        <p class="text-pre-wrap small mt-1 mb-1">{text(c.summary)}</p>\n'
            f"        {files}\n"
            "      </details>\n"
            f"      {said_by_vendor}\n"
            f"      {outcome}\n"
            f"      {forms}\n"
            "    </div>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value was escaped

"""Rows of the work column's long lists, written in Python with the markup their templates
had: the work view of a long history shows dozens of them, and each row cost the template
engine a dozen lookups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext as _

from fieldwork.models import WorkLog
from servicedesk.template_builtins import moment, text
from tickets.models import TicketEvent
from tickets.templatetags.ticket_tags import iso_datetime, minutes_text

register = template.Library()


@register.simple_tag
def worklog_rows(entries: Iterable[WorkLog]) -> SafeString:
    """The work log's entries (``worklog_work.html``)."""
    # Translated outside the f-strings: ``makemessages`` reads no call inside one.
    public_label = text(_("Public"))
    internal_label = text(_("Internal"))
    public = f'<span class="badge bg-green-lt">{public_label}</span>'
    internal = f'<span class="badge bg-yellow-lt">{internal_label}</span>'
    parts_label = text(_("Parts replaced") + _(": "))
    modes = {value: text(label) for value, label in WorkLog._meta.get_field("mode").flatchoices}
    spent: dict[int, str] = {}  # minutes → words, once per value
    out = []
    for w in entries:
        if w.minutes not in spent:
            spent[w.minutes] = text(minutes_text(w.minutes))
        mode = modes.get(w.mode) or text(w.mode)
        parts = (
            f'<div class="small"><span class="text-secondary">{parts_label}</span>'
            f'<span class="text-break">{text(w.parts_used)}</span></div>'
            if w.parts_used
            else ""
        )
        out.append(
            f'\n    <li class="list-group-item{"" if w.is_public else " worklog-internal"}" '
            f'data-worklog="{text(w.pk)}">\n'
            '      <div class="d-flex flex-wrap align-items-center gap-1 small">\n'
            f'        <span class="badge bg-secondary-lt">{mode}</span>\n'
            f'        <span class="fw-bold">{spent[w.minutes]}</span>\n'
            f"        {public if w.is_public else internal}\n"
            f'        <span class="text-secondary ms-auto">{moment(w.performed_at)}</span>\n'
            "      </div>\n"
            f'      <div class="text-pre-wrap">{text(w.body)}</div>\n'
            f"      {parts}\n"
            f'      <div class="text-secondary small">{text(w.author.name)}</div>\n'
            "    </li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above was escaped


def _when(value: Any) -> str:
    """``{{ value|iso_datetime|date:"Y-m-d H:i" }}``: an ISO moment from an entry's data, in
    the reader's zone; empty when it is not one."""
    found = iso_datetime(value)
    if found is None:
        return ""
    return text(date_filter(localtime(found) if is_aware(found) else found, "Y-m-d H:i"))


@register.simple_tag
def visit_entry(event: TicketEvent) -> SafeString:
    """What a visit's timeline entry shows of its data (``visit_event.html``), in Python: a
    long field-work history has a dozen of them on the page."""
    d = event.data if isinstance(event.data, dict) else {}
    kind = event.kind
    colon = text(_(": "))
    if kind == "asset_changed":
        return mark_safe(  # noqa: S308 - every value was escaped
            f'\n<p class="mt-2 mb-0">{text(d.get("from") or "—")} → '
            f"{text(d.get('to') or '—')}</p>\n"
        )
    if kind == "maintenance_recorded":
        device = text(_("Device"))
        link = ""
        if d.get("asset"):
            url = text(reverse("assets:detail", args=[d["asset"]]))
            link = f'<a href="{url}">{text(d.get("tag", ""))}</a>'
        parts = ""
        if d.get("parts"):
            replaced = text(_("Parts replaced"))
            parts = f' · {replaced}{colon}<span class="text-break">{text(d["parts"])}</span>'
        return mark_safe(f'\n<p class="mt-2 mb-0">{device}{colon}{link}{parts}</p>\n')  # noqa: S308
    rows = []
    if kind == "visit_rescheduled":
        label = text(_("Visit time"))
        accepted = ""
        if d.get("accepted"):
            proposed = text(_("the time the requester proposed"))
            accepted = f' <span class="text-secondary">({proposed})</span>'
        rows.append(
            f'<dt>{label}</dt><dd><time datetime="{text(d.get("at", ""))}">'
            f"{_when(d.get('previous'))} → {_when(d.get('at'))}</time>{accepted}</dd>"
        )
    elif kind == "visit_time_proposed":
        label = text(_("Proposed time"))
        # ``blocktranslate``: the values escaped, the translation as it is.
        instead = _("instead of %(at)s") % {"at": _when(d.get("at"))}
        rows.append(
            f'<dt>{label}</dt><dd><time datetime="{text(d.get("proposed", ""))}">'
            f"{_when(d.get('proposed'))}</time> "
            f'<span class="text-secondary">({instead})</span></dd>'
        )
    else:
        label = text(_("Visit time"))
        rows.append(
            f'<dt>{label}</dt><dd><time datetime="{text(d.get("at", ""))}">'
            f"{_when(d.get('at'))}</time></dd>"
        )
    if d.get("arranged_by"):
        on_site = text(_("On site"))
        who = _("%(engineer)s, the site's local IT contact (arranged by %(by)s)") % {
            "engineer": text(d.get("engineer", "")),
            "by": text(d["arranged_by"]),
        }
        rows.append(f"<dt>{on_site}</dt><dd>{who}</dd>")
    if d.get("bring"):
        bring = text(_("Parts and tools to bring"))
        rows.append(f'<dt>{bring}</dt><dd class="text-pre-wrap">{text(d["bring"])}</dd>')
    if kind == "visit_completed":
        if d.get("indicator_lights"):
            lights = text(_("Indicator lights"))
            rows.append(
                f'<dt>{lights}</dt><dd class="text-break">{text(d["indicator_lights"])}</dd>'
            )
        damage = text(_("Physical damage"))
        none = _("None")
        rows.append(
            f'<dt>{damage}</dt><dd class="text-break">{text(d.get("physical_damage") or none)}</dd>'
        )
        done = text(_("What was done"))
        rows.append(f'<dt>{done}</dt><dd class="text-pre-wrap">{text(d.get("work_done", ""))}</dd>')
        if d.get("parts_used"):
            used = text(_("Parts used"))
            rows.append(f'<dt>{used}</dt><dd class="text-break">{text(d["parts_used"])}</dd>')
        cleaned = text(_("Site cleaned up"))
        answer = text(_("Yes") if d.get("site_cleaned") else _("No"))
        rows.append(f'<dt>{cleaned}</dt><dd class="mb-0">{answer}</dd>')
    body = "\n  ".join(rows)
    return mark_safe(f'\n<dl class="mt-2 mb-0 small">\n  {body}\n</dl>\n')  # noqa: S308

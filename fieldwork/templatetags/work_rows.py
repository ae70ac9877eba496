"""Rows of the work column's long lists, written in Python with the markup their templates
had: the work view of a long history shows dozens of them, and each row cost the template
engine a dozen lookups."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fieldwork.models import SiteVisit, WorkLog
from fieldwork.templatetags.plan_check_tags import approach_label, result_class, result_label
from servicedesk.template_builtins import field, moment, text
from sla.display import duration_text
from tickets.models import TicketEvent
from tickets.templatetags.ticket_tags import iso_datetime, local_minute, minutes_text

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
    return local_minute(iso_datetime(value))


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


# --- timeline entries of the plan, the checks, consents and the work log -------------------
# Each writes what its template wrote (``<feature>_event.html``, now a call of the tag), in
# Python: a long field-work history shows a few dozen of them on the page, and each cost the
# template engine a context and a dozen lookups. ``tickets.templatetags.ticket_tags`` calls
# them directly (``write_entries_with``).


@functools.lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    """The words written below in ``language`` (the active one), translated once per process:
    ``makemessages`` reads these calls (none inside an f-string)."""
    return {
        "Risk": _("Risk"),
        "sent to the requester to confirm": _("sent to the requester to confirm"),
        "Operation window": _("Operation window"),
        "Approach": _("Approach"),
        "Valid until": _("Valid until"),
        "How long": _("How long"),
        "Remote tool": _("Remote tool"),
        "What for": _("What for"),
        "Remote": _("Remote"),
        "On site": _("On site"),
        "Phone": _("Phone"),
        "Other": _("Other"),
        "Parts replaced": _("Parts replaced"),
        ": ": _(": "),
        "Waiting for the requester": _("Waiting for the requester"),
        "Bring": _("Bring"),
        "The requester proposes %(at)s.": _("The requester proposes %(at)s."),
        "Accept this time": _("Accept this time"),
        "Indicator lights": _("Indicator lights"),
        "Parts used": _("Parts used"),
        "None": _("None"),
        "Yes": _("Yes"),
        "No": _("No"),
        "Physical damage": _("Physical damage"),
        "What was done": _("What was done"),
        "Site cleaned up": _("Site cleaned up"),
        "Record the visit": _("Record the visit"),
        "Save the visit report": _("Save the visit report"),
        "Move to another time": _("Move to another time"),
        "Move the visit": _("Move the visit"),
        "Cancel the visit": _("Cancel the visit"),
        "Granted": _("Granted"),
        "Refused": _("Refused"),
        "Revoked": _("Revoked"),
        "Expired": _("Expired"),
        "until": _("until %(until)s (%(left)s left)"),
        "asked": _("%(n)s, asked %(at)s"),
        "refused": _("refused %(at)s"),
        "revoked": _("granted %(from)s, revoked at %(at)s"),
        "expired": _("granted %(from)s, expired at %(until)s"),
    }


def _data(event: TicketEvent) -> dict[str, Any]:
    return event.data if isinstance(event.data, dict) else {}


def _time(value: Any) -> str:
    """``<time datetime="{{ value }}">{{ value|iso_datetime|date:"Y-m-d H:i" }}</time>``."""
    return f'<time datetime="{text(value)}">{_when(value)}</time>'


def _shown(d: dict[str, Any], key: str) -> str:
    """``{{ event.data.key }}``: empty when missing."""
    return text(d.get(key, ""))


@register.simple_tag
def plan_entry(event: TicketEvent) -> SafeString:
    """``plan_event.html``."""
    w = _words(get_language() or "")
    d = _data(event)
    if event.kind == "plan_recorded":
        risk = ""
        if d.get("risk"):
            risk = f'<dt>{w["Risk"]}</dt><dd class="text-break">{_shown(d, "risk")}</dd>'
        window = ""
        if d.get("window_start"):
            moved = f" · {w['sent to the requester to confirm']}" if d.get("window_moved") else ""
            window = (
                f'<dt>{w["Operation window"]}</dt><dd class="mb-0">'
                f"{_time(d.get('window_start', ''))} – {_time(d.get('window_end', ''))}{moved}</dd>"
            )
        approach = text(approach_label(d.get("approach", "")))
        html = (
            f'<dl class="mt-2 mb-0 small">\n  <dt>{w["Approach"]}</dt><dd>{approach}</dd>\n'
            f"  {risk}\n  {window}\n</dl>"
        )
    elif d.get("window_start"):
        html = (
            f'<p class="mt-2 mb-0 small">{_time(d.get("window_start", ""))} – '
            f"{_time(d.get('window_end', ''))}</p>"
        )
    else:
        html = ""
    return mark_safe(html + "\n")  # noqa: S308 - every value was escaped


@register.simple_tag
def consent_entry(event: TicketEvent) -> SafeString:
    """``consent_event.html``."""
    w = _words(get_language() or "")
    d = _data(event)
    if event.kind == "consent_granted" and d.get("expires_at"):
        last = (
            f'<dt>{w["Valid until"]}</dt><dd class="mb-0">{_time(d.get("expires_at", ""))}</dd>\n  '
        )
    elif event.kind == "consent_requested":
        minutes = text(minutes_text(d.get("duration_minutes", "")))
        last = f'<dt>{w["How long"]}</dt><dd class="mb-0">{minutes}</dd>'
    else:
        last = ""
    return mark_safe(  # noqa: S308 - every value was escaped
        f'<dl class="mt-2 mb-0 small">\n'
        f'  <dt>{w["Remote tool"]}</dt><dd class="text-break">{_shown(d, "tool")}</dd>\n'
        f'  <dt>{w["What for"]}</dt><dd class="text-pre-wrap">{_shown(d, "purpose")}</dd>\n'
        f"  {last}\n</dl>\n"
    )


@register.simple_tag
def check_entry(event: TicketEvent) -> SafeString:
    """``check_event.html``: the check's label in the reader's language, its result."""
    d = _data(event)
    english = (get_language() or "")[:2] == "en"
    label = _shown(d, "label_en") if english and d.get("label_en") else _shown(d, "label")
    result = ""
    if d.get("result"):
        value = d.get("result", "")
        result = (
            f' <span class="badge {text(result_class(value))}">{text(result_label(value))}</span>'
        )
    note = ""
    if d.get("result_note"):
        note = f'<p class="mb-0 small text-secondary text-break">{_shown(d, "result_note")}</p>'
    return mark_safe(  # noqa: S308 - every value was escaped
        f'<p class="mt-2 mb-0"><span class="text-break">{label}</span>{result}</p>{note}\n'
    )


@register.simple_tag
def worklog_entry(event: TicketEvent) -> SafeString:
    """``worklog_event.html``."""
    w = _words(get_language() or "")
    d = _data(event)
    mode = d.get("mode")
    how = {"remote": w["Remote"], "onsite": w["On site"], "phone": w["Phone"]}.get(
        mode if isinstance(mode, str) else "", w["Other"]
    )
    when = ""
    if d.get("performed_at"):
        when = f" · {_time(d.get('performed_at', ''))}"
    parts = ""
    if d.get("parts_used"):
        replaced = w["Parts replaced"] + w[": "]
        parts = (
            f'<p class="mb-0 small"><span class="text-secondary">{replaced}</span>'
            f'<span class="text-break">{_shown(d, "parts_used")}</span></p>'
        )
    minutes = text(minutes_text(d.get("minutes", "")))
    return mark_safe(  # noqa: S308 - every value was escaped
        f'<p class="mt-2 mb-0 text-pre-wrap">{_shown(d, "body")}</p>\n'
        f'<p class="mb-0 small text-secondary">{how} · {minutes}{when}</p>\n{parts}\n'
    )


# --- the visits of the engineer's panel (``visit_panel.html``) ------------------------------

_VISIT_BADGES = {
    "confirmed": "bg-green-lt",
    "proposed": "bg-yellow-lt",
    "completed": "bg-blue-lt",
    "cancelled": "bg-secondary-lt",
}


def _csrf_input(context: template.Context) -> str:
    """``{% csrf_token %}``."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker, not a secret
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{text(token)}">'


@register.simple_tag(takes_context=True)
def visit_rows(
    context: template.Context, rows: Iterable[dict[str, Any]], number: str
) -> SafeString:
    """The visits of the work column with the forms of whoever may use them, the markup the
    panel's loop wrote, in Python: a long history lists five visits of a dozen lookups and
    a few forms each. ``rows``: the panel's rows (a refused post puts its bound form and
    which form is open in its row)."""
    w = _words(get_language() or "")
    csrf = _csrf_input(context)
    colon = w[": "]
    # ``get_state_display`` builds the choices' dict on every call.
    states = dict(SiteVisit._meta.get_field("state").flatchoices)
    out = []
    for row in rows:
        v = row["visit"]
        pk = text(v.pk)
        state = v.state
        if state == "scheduled":
            label = w["Waiting for the requester"]
        else:
            label = text(states.get(state, state))
        name = text(v.engineer.name) if v.engineer_id is not None else ""
        bring = ""
        if v.bring:
            bring = (
                f'<div class="small"><span class="text-secondary">{w["Bring"]}{colon}'
                f'</span><span class="text-pre-wrap">{text(v.bring)}</span></div>'
            )
        reschedule_url = ""
        if row.get("may_work"):
            reschedule_url = text(reverse("fieldwork:visit_reschedule", args=[number, v.pk]))
        proposed = ""
        if state == "proposed":
            at = local_minute(v.proposed_at)
            said = w["The requester proposes %(at)s."] % {"at": at}
            note = ""
            if v.proposal_note:
                note = f'<div class="text-pre-wrap">{text(v.proposal_note)}</div>'
            accept = ""
            if row.get("may_work"):
                accept = (
                    f'\n        <form method="post" action="{reschedule_url}" class="mt-2">{csrf}\n'
                    '          <button class="btn btn-warning btn-sm" type="submit">'
                    f"{w['Accept this time']}</button>\n        </form>\n        "
                )
            proposed = (
                '\n      <div class="alert alert-warning mt-2 mb-2 p-2" role="status">\n'
                f"        {said}\n        {note}\n        {accept}\n      </div>\n      "
            )
        done = ""
        if state == "completed":
            lights = ""
            if v.indicator_lights:
                lights = (
                    f'<dt class="col-5">{w["Indicator lights"]}</dt>'
                    f'<dd class="col-7 text-break">{text(v.indicator_lights)}</dd>'
                )
            parts = ""
            if v.parts_used:
                parts = (
                    f'<dt class="col-5">{w["Parts used"]}</dt>'
                    f'<dd class="col-7 text-break">{text(v.parts_used)}</dd>'
                )
            # ``|default:w['None']``: the translation as it is, a value escaped.
            damage = text(v.physical_damage) if v.physical_damage else w["None"]
            cleaned = w["Yes"] if v.site_cleaned else w["No"]
            done = (
                '\n      <dl class="row small mt-2 mb-0">\n'
                f"        {lights}\n"
                f'        <dt class="col-5">{w["Physical damage"]}</dt>'
                f'<dd class="col-7 text-break">{damage}</dd>\n'
                f'        <dt class="col-5">{w["What was done"]}</dt>'
                f'<dd class="col-7 text-pre-wrap">{text(v.work_done)}</dd>\n'
                f"        {parts}\n"
                f'        <dt class="col-5">{w["Site cleaned up"]}</dt>'
                f'<dd class="col-7 mb-0">{cleaned}</dd>\n'
                "      </dl>\n      "
            )
        work = ""
        if row.get("may_work"):
            complete_url = text(reverse("fieldwork:visit_complete", args=[number, v.pk]))
            fields = "".join(field(f) for f in row["complete_form"])
            when = field(row["reschedule_form"]["scheduled_at"])
            work = (
                f'\n      <details class="mt-2"{_open(row, "complete_form")} id="complete-{pk}">\n'
                f"        <summary>{w['Record the visit']}</summary>\n"
                f'        <form method="post" action="{complete_url}" class="mt-2">{csrf}\n'
                f"          {fields}\n"
                '          <button class="btn btn-primary btn-sm" type="submit">'
                f"{w['Save the visit report']}</button>\n"
                "        </form>\n      </details>\n"
                f'      <details class="mt-2"{_open(row, "reschedule_form")} '
                f'id="reschedule-{pk}">\n'
                f"        <summary>{w['Move to another time']}</summary>\n"
                f'        <form method="post" action="{reschedule_url}" class="mt-2">{csrf}\n'
                f"          {when}\n"
                '          <button class="btn btn-outline-primary btn-sm" type="submit">'
                f"{w['Move the visit']}</button>\n"
                "        </form>\n      </details>\n      "
            )
        cancel = ""
        if row.get("may_cancel"):
            cancel_url = text(reverse("fieldwork:visit_cancel", args=[number, v.pk]))
            cancel = (
                f'\n      <details class="mt-2"{_open(row, "cancel_form")} id="cancel-{pk}">\n'
                f"        <summary>{w['Cancel the visit']}</summary>\n"
                f'        <form method="post" action="{cancel_url}" class="mt-2">{csrf}\n'
                f"          {field(row['cancel_form']['reason'])}\n"
                '          <button class="btn btn-outline-danger btn-sm" type="submit">'
                f"{w['Cancel the visit']}</button>\n"
                "        </form>\n      </details>\n      "
            )
        out.append(
            f'\n    <li class="list-group-item" data-visit="{pk}" data-state="{text(state)}">\n'
            '      <div class="d-flex flex-wrap align-items-center gap-2">\n'
            f'        <span class="fw-bold me-auto">{moment(v.scheduled_at)}</span>\n'
            f'        <span class="badge {_VISIT_BADGES.get(state, "bg-azure-lt")}">'
            f"{label}</span>\n"
            "      </div>\n"
            f'      <div class="text-secondary small">{name}</div>\n'
            f"      {bring}\n      {proposed}\n      {done}\n      {work}\n      {cancel}\n"
            "    </li>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value was escaped


def _open(row: dict[str, Any], form: str) -> str:
    return " open" if row.get("open") == form else ""


# --- the consents of the engineer's panel (``consent_work.html``) ---------------------------

_CONSENT_BADGES = {
    "granted": "bg-green-lt",
    "requested": "bg-yellow-lt",
    "refused": "bg-red-lt",
    "revoked": "bg-red-lt",
}


@register.simple_tag
def consent_rows(rows: Iterable[dict[str, Any]]) -> SafeString:
    """The latest consents with their status now, the markup the panel's loop wrote, in
    Python: each row's dates went through ``|date`` twice in a ``blocktranslate``."""
    w = _words(get_language() or "")
    out = []
    for row in rows:
        c = row["consent"]
        status = row["status"]
        label = {
            "granted": w["Granted"],
            "requested": w["Waiting for the requester"],
            "refused": w["Refused"],
            "revoked": w["Revoked"],
        }.get(status, w["Expired"])
        if status == "granted":
            left = text(duration_text(int(row.get("left") or 0)))
            said = w["until"] % {"until": local_minute(c.expires_at, "%H:%M"), "left": left}
            said += "\n        "
        elif status == "requested":
            n = text(minutes_text(c.duration_minutes))
            said = w["asked"] % {"n": n, "at": local_minute(c.requested_at)}
            said += "\n        "
        elif status == "refused":
            said = w["refused"] % {"at": local_minute(c.answered_at)}
            if c.refusal_reason:
                said += f'{w[": "]}<span class="text-break">{text(c.refusal_reason)}</span>'
            said += "\n        "
        elif status == "revoked":
            said = w["revoked"] % {
                "from": local_minute(c.granted_at),
                "at": local_minute(c.revoked_at, "%H:%M"),
            }
            said += "\n        "
        else:
            said = w["expired"] % {
                "from": local_minute(c.granted_at),
                "until": local_minute(c.expires_at, "%H:%M"),
            }
        out.append(
            f'\n    <li class="list-group-item" data-consent="{text(c.pk)}" '
            f'data-status="{text(status)}">\n'
            '      <div class="d-flex flex-wrap align-items-center gap-2">\n'
            f'        <span class="fw-bold me-auto text-break">{text(c.tool)}</span>\n'
            f'        <span class="badge {_CONSENT_BADGES.get(status, "bg-secondary-lt")}">'
            f"{label}</span>\n"
            "      </div>\n"
            f'      <div class="text-pre-wrap small">{text(c.purpose)}</div>\n'
            '      <div class="text-secondary small">\n'
            f"        {said}\n"
            "      </div>\n"
            "    </li>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value was escaped

"""Who hears about a major incident. The outbox (``notifications``) only delivers.

Every row carries the incident's ``MI-…`` number (``payload["number"]``) and its title;
staff rows link to the live page. Requesters may not open the live page (403), so theirs
link to their own ticket, whose page shows the incident's notice.

* declared: every engineer (a task force is wanted), tech lead and manager, and the named
  stakeholders; the commander named by someone else hears that they command it;
* a ticket linked (at the declaration or later): its requester, once per incident however
  many of their tickets are linked and however often;
* added to the task force: the person added (not when they added themselves);
* task force not formed in 10 minutes (the sweep): every tech lead and manager, once;
* every 30 minutes (the sweep): the management report to managers and stakeholders; the
  commander is reminded when no status note was written since the last report;
* service restored: the requesters of linked tickets (once each), managers, stakeholders
  and the task force; resolved: managers, stakeholders and the task force.

Each row names its cause (the incident and what happened; a report's slot), so a cause
written twice — a retried sweep, a ticket linked again — notifies once per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.urls import reverse

from accounts.models import User
from incidents.choices import ClockKind, IncidentNotice
from incidents.models import IncidentMember, MajorIncident
from incidents.permissions import REPORT_RECIPIENT_PERMISSION
from notifications import outbox
from tickets.selectors import engineers, tech_leads, users_with_permission

# Report texts travel in the payload for the e-mail; the page keeps the whole report.
PAYLOAD_TEXT_MAX = 2_000


def live_link(incident: MajorIncident) -> str:
    return reverse("incidents:live", kwargs={"number": incident.number})


def managers() -> list[User]:
    """Who receives the management reports by role (``view_incidentreport``): managers."""
    return list(users_with_permission(REPORT_RECIPIENT_PERMISSION))


def _short(text: str) -> str:
    return text if len(text) <= PAYLOAD_TEXT_MAX else text[: PAYLOAD_TEXT_MAX - 1] + "…"


def payload(incident: MajorIncident, **extra: Any) -> dict[str, Any]:
    return {"number": incident.number, "title": incident.title, **extra}


def rows(
    incident: MajorIncident,
    *,
    recipients: Iterable[User | None],
    kind: str,
    cause: str,
    now: dt.datetime,
    link: str | None = None,
    extra: dict[str, Any] | None = None,
) -> list[outbox.Outgoing]:
    """Unsaved rows about ``incident`` (the live page unless ``link`` says otherwise)."""
    return outbox.build(
        recipients=recipients,
        kind=kind,
        cause=f"incident:{incident.pk}:{cause}",
        now=now,
        link=link if link is not None else live_link(incident),
        payload=payload(incident, **(extra or {})),
    )


def _others(people: Iterable[User | None], actor: User | None) -> list[User]:
    return [p for p in people if p is not None and (actor is None or p.pk != actor.pk)]


def stakeholders_of(incident: MajorIncident) -> list[User]:
    return list(incident.stakeholders.all())


def task_force_of(incident: MajorIncident) -> list[User]:
    members = IncidentMember.objects.filter(incident=incident).select_related("user")
    return [incident.commander, *(m.user for m in members)]


# --- the services' notices (inside their transaction) ---------------------------------------


def declared(incident: MajorIncident, *, actor: User, now: dt.datetime) -> None:
    """The desk and management hear of it; the commander, when named by someone else, hears
    that they command it (their row says so through ``commander``)."""
    people = [
        *engineers(),
        *tech_leads(),
        *managers(),
        *stakeholders_of(incident),
    ]
    commander = incident.commander
    notices = []
    if commander.pk != actor.pk:
        notices += rows(
            incident,
            recipients=[commander],
            kind=IncidentNotice.DECLARED,
            cause="declared",
            now=now,
            extra={"commander": commander.username, "you_command": True},
        )
    notices += rows(
        incident,
        recipients=_others(people, actor),
        kind=IncidentNotice.DECLARED,
        cause="declared",
        now=now,
        extra={"commander": commander.username},
    )
    outbox.save_and_dispatch(notices)  # the commander's own row comes first: dedupe keeps it


def requesters_told(
    incident: MajorIncident,
    *,
    requesters: Sequence[User],
    tickets_of: dict[int, list[str]],
    now: dt.datetime,
) -> None:
    """Each requester of newly linked tickets, once per incident (the cause has no ticket in
    it: a second batch of their tickets, or the same ones again, adds no row)."""
    notices: list[outbox.Outgoing] = []
    path = ticket_paths()
    for person in requesters:
        numbers = tickets_of.get(person.pk, [])
        notices += rows(
            incident,
            recipients=[person],
            kind=IncidentNotice.TICKET_LINKED,
            cause="requester",
            now=now,
            link=path(numbers[0]) if numbers else "",
            extra={"tickets": numbers[:20]},
        )
    outbox.save_and_dispatch(notices)


_PLACEHOLDER = "__number__"


def ticket_paths() -> Callable[[str], str]:
    """A ticket's page by number, without a ``reverse()`` per ticket (a thousand of them
    cost 0.3 s): reversed once with a placeholder (numbers are ``IT-…``, URL-safe)."""
    template = reverse("tickets:detail", kwargs={"number": _PLACEHOLDER})
    return lambda number: template.replace(_PLACEHOLDER, number)


def member_added(
    incident: MajorIncident, member: IncidentMember, *, actor: User, now: dt.datetime
) -> None:
    if member.user_id == actor.pk:
        return
    outbox.save_and_dispatch(
        rows(
            incident,
            recipients=[member.user],
            kind=IncidentNotice.MEMBER_ADDED,
            cause=f"member:{member.pk}:{member.role}",
            now=now,
            extra={"role": member.role},
        )
    )


def restored(
    incident: MajorIncident,
    *,
    actor: User,
    requesters: Sequence[User],
    tickets_of: dict[int, list[str]],
    now: dt.datetime,
) -> None:
    """Service is back: the requesters of linked tickets (once each, linking to their
    ticket), management, the stakeholders and the task force."""
    extra = {"restored_at": now.isoformat(), "restoration": _short(incident.restoration)}
    notices: list[outbox.Outgoing] = []
    path = ticket_paths()
    for person in requesters:
        numbers = tickets_of.get(person.pk, [])
        notices += rows(
            incident,
            recipients=[person],
            kind=IncidentNotice.RESTORED,
            cause="restored",
            now=now,
            link=path(numbers[0]) if numbers else "",
            extra={**extra, "tickets": numbers[:20]},
        )
    staff = [*managers(), *stakeholders_of(incident), *task_force_of(incident)]
    notices += rows(
        incident,
        recipients=_others(staff, actor),
        kind=IncidentNotice.RESTORED,
        cause="restored",
        now=now,
        extra=extra,
    )
    outbox.save_and_dispatch(notices)


def resolved(incident: MajorIncident, *, actor: User, now: dt.datetime) -> None:
    staff = [*managers(), *stakeholders_of(incident), *task_force_of(incident)]
    outbox.save_and_dispatch(
        rows(
            incident,
            recipients=_others(staff, actor),
            kind=IncidentNotice.RESOLVED,
            cause="resolved",
            now=now,
            extra={"resolved_at": now.isoformat()},
        )
    )


# --- the sweep's notices (built for a batch, saved by the caller) ---------------------------


def task_force_late_rows(
    incident: MajorIncident, *, due_at: dt.datetime, recipients: Sequence[User], now: dt.datetime
) -> list[outbox.Outgoing]:
    return rows(
        incident,
        recipients=recipients,
        kind=ClockKind.TASK_FORCE_LATE,
        cause="task_force_late",
        now=now,
        extra={"due_at": due_at.isoformat()},
    )


def report_rows(
    incident: MajorIncident,
    *,
    report: Any,
    recipients: Sequence[User],
    missed: int,
    now: dt.datetime,
) -> list[outbox.Outgoing]:
    """The report as the e-mail shows it: status, impact, what was done since the last
    report, next steps, the next report's time; late and "no new status" said plainly."""
    return rows(
        incident,
        recipients=recipients,
        kind=ClockKind.REPORT,
        cause=f"report:{report.slot.isoformat()}",
        now=now,
        extra={
            "status": report.status,
            "impact": _short(report.impact),
            "done": _short(report.done_since_last),
            "next_steps": _short(report.next_steps),
            "no_new_status": report.no_new_status,
            "late": report.is_late,
            "missed": missed,
            "slot_at": report.slot.isoformat(),
            "next_report_at": report.next_report_at.isoformat() if report.next_report_at else "",
        },
    )


def reminder_rows(
    incident: MajorIncident, *, commander: User, slot: dt.datetime, now: dt.datetime
) -> list[outbox.Outgoing]:
    return rows(
        incident,
        recipients=[commander],
        kind=IncidentNotice.STATUS_REMINDER,
        cause=f"reminder:{slot.isoformat()}",
        now=now,
        extra={"slot_at": slot.isoformat()},
    )

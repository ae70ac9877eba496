"""A major incident's two clocks, declared on ``sla``'s timed-obligation mechanism.

Rows: incidents with ``next_check_at`` set (partial index ``incidents_due``): the
task-force deadline, then each 30-minute report slot, until service is restored
(``incidents.clocks`` has the rules, the services move the column when the status or the
crew changes).

Due, recorded in ``IncidentClockEvent`` (unique on incident, kind, due time), so two
sweeps, a retried batch or a worker restarted mid-way record — and announce — each once:

* ``incident_task_force_late`` at ``task_force_due_at`` when no task force was formed by
  then (and service is not restored);
* ``incident_report`` for the latest report slot passed since the last report. When the
  sweeps were down across several slots that is one event for the latest slot: one
  report, marked late, and ``last_report_slot`` moves to it, so the next report stays on
  the grid.

Announce (same transaction): the task force late to every tech lead and manager; each
report stored (``IncidentReport``, unique on incident and slot) and sent to the managers
and the incident's stakeholders, the commander reminded when no status note was written
since the last report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Max

from accounts.models import User
from incidents import clocks, notify
from incidents.choices import ClockKind
from incidents.models import IncidentClockEvent, IncidentReport, MajorIncident, StatusNote
from notifications import outbox
from sla.obligations import Due, Obligation, sweep
from tickets.selectors import tech_leads

NO_NEW_STATUS = "no new status"  # what the stored report's flag means, for readers of the API


class IncidentClocks(Obligation[MajorIncident]):
    name = "incidents.clocks"
    model = MajorIncident
    next_check_field = "next_check_at"
    event_model = IncidentClockEvent
    event_object_field = "incident"
    fields = (
        "number",
        "title",
        "impact",
        "status",
        "commander_id",
        "declared_at",
        "task_force_due_at",
        "task_force_formed_at",
        "last_report_slot",
    )
    progress_fields = ("last_report_slot", "next_check_at")
    batch_size = 100

    def due(self, row: MajorIncident, now: dt.datetime) -> list[Due]:
        found = []
        if clocks.task_force_pending(row) and row.task_force_due_at <= now:
            found.append(Due(row.pk, ClockKind.TASK_FORCE_LATE, row.task_force_due_at))
        slot = clocks.report_due(row, now)
        if slot is not None:
            found.append(Due(row.pk, ClockKind.REPORT, slot))
        return found

    def advance(self, row: MajorIncident, due: list[Due], now: dt.datetime) -> None:
        # ``announce`` reads where the previous report left off: keep it before moving on.
        row._previous_slot = clocks.previous_slot(row)  # type: ignore[attr-defined]
        for found in due:
            if found.kind == ClockKind.REPORT:
                row.last_report_slot = found.due_at
        row.next_check_at = clocks.next_check(row, now)

    def announce(self, rows: list[MajorIncident], recorded: list[Due], now: dt.datetime) -> None:
        by_id = {row.pk: row for row in rows}
        late = [by_id[d.object_id] for d in recorded if d.kind == ClockKind.TASK_FORCE_LATE]
        reports = [d for d in recorded if d.kind == ClockKind.REPORT]
        notices: list[outbox.Outgoing] = []
        leads_and_managers: list[User] | None = None
        if late:
            leads_and_managers = [*tech_leads(), *notify.managers()]
            for incident in late:
                notices += notify.task_force_late_rows(
                    incident,
                    due_at=incident.task_force_due_at,
                    recipients=leads_and_managers,
                    now=now,
                )
        if reports:
            notices += _Reports([by_id[d.object_id] for d in reports], now).announce()
        outbox.save_and_dispatch(notices)


class _Reports:
    """The reports one batch sends: their contents read in a fixed number of queries."""

    def __init__(self, incidents: list[MajorIncident], now: dt.datetime) -> None:
        self.incidents = incidents
        self.now = now
        ids = [i.pk for i in incidents]
        # Notes since the previous report was sent (the first report: since the declaration).
        last_sent = dict(
            IncidentReport.objects.filter(incident_id__in=ids)
            .values("incident_id")
            .annotate(at=Max("sent_at"))
            .values_list("incident_id", "at")
        )
        self.since = {i.pk: last_sent.get(i.pk) or i.declared_at for i in incidents}
        self.new_notes: dict[int, list[StatusNote]] = defaultdict(list)
        for note in StatusNote.objects.filter(
            incident_id__in=ids, created_at__gt=min(self.since.values())
        ).order_by("created_at", "pk"):
            if note.created_at > self.since[note.incident_id]:
                self.new_notes[note.incident_id].append(note)
        # The next steps last written, new or not (one row per incident).
        self.last_steps = dict(
            StatusNote.objects.filter(incident_id__in=ids)
            .exclude(next_steps="")
            .order_by("incident_id", "-created_at", "-pk")
            .distinct("incident_id")
            .values_list("incident_id", "next_steps")
        )
        self.stakeholders: dict[int, list[User]] = defaultdict(list)
        through = MajorIncident.stakeholders.through
        for link in through.objects.filter(majorincident_id__in=ids).select_related("user"):
            self.stakeholders[link.majorincident_id].append(link.user)
        self.commanders = {
            u.pk: u for u in User.objects.filter(pk__in={i.commander_id for i in incidents})
        }

    def announce(self) -> list[outbox.Outgoing]:
        managers = notify.managers()
        stored = []
        notices: list[outbox.Outgoing] = []
        for incident in self.incidents:
            notes = self.new_notes.get(incident.pk, [])
            previous: dt.datetime = incident._previous_slot  # type: ignore[attr-defined]
            slot: dt.datetime = incident.last_report_slot  # type: ignore[assignment]  # advance()
            report = IncidentReport(
                incident=incident,
                slot=slot,
                sent_at=self.now,
                status=incident.status,
                impact=incident.impact,
                done_since_last="\n\n".join(n.body for n in notes),
                next_steps=self.last_steps.get(incident.pk, ""),
                no_new_status=not notes,
                is_late=clocks.is_late(previous, slot, self.now),
                next_report_at=slot + clocks.REPORT_EVERY,
            )
            stored.append(report)
            notices += notify.report_rows(
                incident,
                report=report,
                recipients=[*managers, *self.stakeholders.get(incident.pk, [])],
                missed=clocks.missed_slots(previous, slot),
                now=self.now,
            )
            commander = self.commanders.get(incident.commander_id)
            if not notes and commander is not None:
                notices += notify.reminder_rows(
                    incident, commander=commander, slot=slot, now=self.now
                )
        # Unique on (incident, slot): the event table already made this sweep the only one.
        IncidentReport.objects.bulk_create(stored)
        return notices


def sweep_incidents(*, now: dt.datetime | None = None, batch_size: int | None = None) -> Any:
    """Run the incident clocks' sweep to the end now (tests, the benchmark); what it did."""
    return sweep(IncidentClocks(), now=now, batch_size=batch_size)

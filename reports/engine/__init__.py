"""The numbers behind every report: one function per report, each taking ``Filters`` and
returning a ``Report`` (columns, one row per group, a total row). Pages, the API, the
exports and the summaries all read these; none computes a figure of its own.

Definitions (stated on the pages and in the API schema, ``DEFINITIONS``):

* a ticket belongs to the period of its submission date in the desk's time zone
  (``settings.TIME_ZONE``; both ends of ``from``–``to`` inclusive);
* response is *met* when the ticket was accepted at or before ``response_due_at``,
  *breached* when accepted after it or still unaccepted past it, *pending* otherwise (left
  out of the percentage); resolution likewise, with the last ``resolved_at`` against
  ``resolution_due_at`` (which holds have moved) — a ticket on hold (waiting on the
  requester or a vendor) past its old deadline is pending, since the hold will move it;
* a percentage is met ÷ (met + breached) × 100, rounded half up to one decimal (``None``
  when nothing is decided yet); a share is a group's tickets ÷ the period's × 100, the same;
* cancelled and merged (closed as duplicate) tickets count in volume (``tickets``, and
  ``excluded`` says how many of them there are) but are left out of compliance, times and
  the per-engineer figures: nobody owed them a response or a fix;
* times: the median and the 90th percentile (``percentile_cont``, interpolated), of the
  tickets accepted (resolved) so far, in working minutes on the ticket's SLA calendar
  (``Ticket.response_minutes`` / ``resolution_minutes``: submission → acceptance on the
  response calendar; submission → last resolution on the resolution calendar, minus the
  working time on hold) and in wall-clock minutes (the plain elapsed time between the
  timestamps, holds included), rounded to one decimal;
* an engineer is the ticket's current assignee; ratings are the answered surveys of the
  period's tickets (average of the three questions 1–5, two decimals).

Every report reads ``reports_ticketfact`` (``reports.models.facts``), kept exact by a
trigger in the tickets' own transactions, with two or three queries whatever the period or
the number of rows (``rows.run``: a transaction with room for the sorts, then the statement).
"""

from __future__ import annotations

from reports.engine.backlog import backlog_report
from reports.engine.definitions import DEFINITIONS
from reports.engine.engineers import engineers_report
from reports.engine.groups import NAMES as GROUPS
from reports.engine.satisfaction import satisfaction_report
from reports.engine.sla import sla_report
from reports.engine.types import Column, Filters, Report
from reports.engine.volume import volume_report

__all__ = [
    "DEFINITIONS",
    "GROUPS",
    "Column",
    "Filters",
    "Report",
    "backlog_report",
    "engineers_report",
    "satisfaction_report",
    "sla_report",
    "volume_report",
]

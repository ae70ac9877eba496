"""The numbers behind every report: one function per report, each taking ``Filters`` and
returning a ``Report`` (columns, one row per group, a total row). Pages, the API, the
exports and the summaries all read these; none computes a figure of its own.

Definitions (stated on the pages and in the API schema):

* a ticket belongs to the period of its submission date in the desk's time zone (both ends
  of ``from``–``to`` inclusive);
* response is *met* when the ticket was accepted at or before ``response_due_at``,
  *breached* when accepted after it or still unaccepted past it, *pending* otherwise (left
  out of the percentage); resolution likewise, with the last ``resolved_at`` against
  ``resolution_due_at`` (which holds have moved);
* a percentage is met ÷ (met + breached) × 100, rounded to one decimal (``None`` when
  nothing is decided yet).
"""

from __future__ import annotations

from reports.engine.types import Column, Filters, Report

__all__ = [
    "Column",
    "Filters",
    "Report",
    "backlog_report",
    "engineers_report",
    "satisfaction_report",
    "sla_report",
    "volume_report",
]

GROUPS = ("priority", "category", "site", "channel", "engineer", "day", "week", "month")


def sla_report(filters: Filters, group_by: str = "priority") -> Report:
    """Compliance and times, one row per ``group_by`` value (``GROUPS``)."""
    raise NotImplementedError


def volume_report(filters: Filters, group_by: str = "category") -> Report:
    """Tickets per category, channel or site, with each one's share of the total (%)."""
    raise NotImplementedError


def backlog_report(filters: Filters) -> Report:
    """Open tickets at the end of each day of the period; ``extra["ageing"]``: the open
    tickets now by age bucket."""
    raise NotImplementedError


def satisfaction_report(filters: Filters, group_by: str = "month") -> Report:
    """Surveys answered: average and distribution (1–5) per dimension, per period."""
    raise NotImplementedError


def engineers_report(filters: Filters) -> Report:
    """Per engineer: handled, response and resolution times, ratings, reopened after a
    rejected fix."""
    raise NotImplementedError

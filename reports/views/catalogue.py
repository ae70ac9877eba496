"""The report pages: their titles, what they group by, and the definitions they state.

The definitions are the engine's (``reports.engine``'s docstrings), in words for people
and translated; each page states the ones its numbers depend on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Definition = tuple[Promise, Promise]

PERIOD: Definition = (
    _("Period"),
    _(
        "A ticket belongs to the period of its submission date in the desk's time zone; "
        "the first and the last day both count. Without dates: the current month."
    ),
)
RESPONSE: Definition = (
    _("Response met, breached, pending"),
    _(
        "Response is met when the ticket was accepted at or before its response deadline, "
        "breached when it was accepted after the deadline or is still unaccepted past it, "
        "and pending otherwise."
    ),
)
RESOLUTION: Definition = (
    _("Resolution met, breached, pending"),
    _(
        "Resolution likewise: the last resolution against the resolution deadline as "
        "holds (waiting on the requester or a vendor) moved it. A ticket on hold past its "
        "old deadline is pending: the hold will move the deadline."
    ),
)
PERCENT: Definition = (
    _("Met %"),
    _(
        "Met ÷ (met + breached) × 100, rounded to one decimal; pending tickets are left "
        "out, and “—” means no ticket is decided yet."
    ),
)
WITHDRAWN: Definition = (
    _("Cancelled or merged"),
    _(
        "Tickets cancelled or merged into another count among the tickets but are left "
        "out of compliance, times and the per-engineer figures: nobody owed them a "
        "response or a fix."
    ),
)
WITHDRAWN_COUNTED: Definition = (
    _("Cancelled or merged"),
    _("Cancelled and merged tickets count here too: they were work that came in."),
)
TIMES: Definition = (
    _("Median and p90"),
    _(
        "The median is the middle value: half of the tickets took less. p90 is the time "
        "nine tickets in ten stayed within. Response times are over the tickets accepted "
        "so far, resolution times over those resolved; rounded to one decimal."
    ),
)
WORKING: Definition = (
    _("Working and wall-clock minutes"),
    _(
        "Working minutes count only the working hours of the ticket's SLA calendar (every "
        "minute for a 7×24 priority): response from submission to acceptance, resolution "
        "from submission to the last resolution without the time on hold. Wall-clock "
        "minutes are the plain time between the two, holds included."
    ),
)
SHARE: Definition = (
    _("Share %"),
    _(
        "A group's tickets ÷ all the tickets of the period that match the filters × 100, "
        "rounded to one decimal."
    ),
)
BACKLOG: Definition = (
    _("Open at the end of a day"),
    _(
        "Tickets submitted before the desk's midnight after that day and not yet verified "
        "or closed by then, whenever they were submitted: the period picks the days "
        "shown, the other filters the tickets. Today's row is the backlog now."
    ),
)
AGEING: Definition = (
    _("Ageing"),
    _("The tickets open now, by how long ago they were submitted."),
)
RATINGS: Definition = (
    _("Ratings"),
    _(
        "Requesters rate response speed, solution quality and attitude from 1 (poor) to "
        "5 (excellent). These are the surveys of the period's tickets; averages are over "
        "the answered ones, to two decimals."
    ),
)
HANDLED: Definition = (
    _("Per engineer"),
    _(
        "A ticket counts for its current assignee; unassigned, cancelled and merged "
        "tickets are in no row. Reopened: tickets whose fix was rejected or that were "
        "reopened at least once."
    ),
)

GROUP_LABELS: dict[str, Promise] = {
    "priority": _("Priority"),
    "category": _("Category"),
    "subcategory": _("Sub-category"),
    "site": _("Site"),
    "channel": _("Channel"),
    "engineer": _("Engineer"),
    "day": _("Day"),
    "week": _("Week"),
    "month": _("Month"),
}
TIME_GROUPS = ("day", "week", "month")


def groups(*keys: str) -> tuple[tuple[str, Promise], ...]:
    return tuple((key, GROUP_LABELS[key]) for key in keys)


@dataclass(frozen=True)
class Page:
    """One report page: its URL name (``reports:<slug>``), the API report it shows (for
    the export buttons), the groupings it offers (the first is the default)."""

    slug: str
    api: str
    title: Promise
    intro: Promise
    groups: tuple[tuple[str, Promise], ...]
    definitions: tuple[Definition, ...]


SLA = Page(
    slug="sla",
    api="sla",
    title=_("SLA compliance"),
    intro=_(
        "How many tickets were answered and resolved within their deadlines, by priority "
        "or over time, and the breaches behind the percentages."
    ),
    groups=groups(
        "priority", "day", "week", "month", "category", "subcategory", "site", "channel", "engineer"
    ),
    definitions=(PERIOD, RESPONSE, RESOLUTION, PERCENT, WITHDRAWN),
)
TIMES_PAGE = Page(
    slug="times",
    api="sla",
    title=_("Response and resolution times"),
    intro=_(
        "How long tickets waited for an answer and for a fix: the median and the 90th "
        "percentile, in working minutes and in wall-clock minutes."
    ),
    groups=groups(
        "priority", "day", "week", "month", "category", "subcategory", "site", "channel", "engineer"
    ),
    definitions=(PERIOD, TIMES, WORKING, WITHDRAWN),
)
VOLUME = Page(
    slug="volume",
    api="volume",
    title=_("Volume"),
    intro=_("How many tickets came in, by category, channel or site, and each one's share."),
    groups=groups("category", "subcategory", "channel", "site", "priority"),
    definitions=(PERIOD, SHARE, WITHDRAWN_COUNTED),
)
BACKLOG_PAGE = Page(
    slug="backlog",
    api="backlog",
    title=_("Backlog"),
    intro=_("How many tickets were open at the end of each day, and how old the open ones are."),
    groups=(),
    definitions=(BACKLOG, AGEING),
)
SATISFACTION = Page(
    slug="satisfaction",
    api="satisfaction",
    title=_("Satisfaction"),
    intro=_(
        "What requesters said in their surveys: the average and the spread of ratings for "
        "each question, and how they move."
    ),
    groups=groups(
        "week", "month", "day", "priority", "category", "subcategory", "site", "channel", "engineer"
    ),
    definitions=(PERIOD, RATINGS),
)
TRAINING: Definition = (
    _("Training"),
    _(
        "Trainings attended: sessions starting in the period at which the engineer was "
        "recorded present. Average assessment score: their technical and service "
        "assessments recorded in the period (0–100); average drill score: their drills "
        "scored in the period. The total row averages every score of the engineers shown."
    ),
)
ENGINEERS = Page(
    slug="engineers",
    api="engineers",
    title=_("Per engineer"),
    intro=_(
        "What each engineer handled: tickets, response and resolution times, ratings, "
        "fixes that came back; and their training: sessions attended, assessment and drill "
        "scores."
    ),
    groups=(),
    definitions=(PERIOD, HANDLED, TIMES, RATINGS, TRAINING),
)

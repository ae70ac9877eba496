"""The report definitions as the API schema states them (the pages state the same in the
reader's language, ``reports.views.catalogue``)."""

from __future__ import annotations

DEFINITIONS = """\
**Definitions.**
- *Period*: a ticket belongs to the period of its submission date in the desk's time zone;
  `from` and `to` (YYYY-MM-DD) are both inclusive. Without them: the current month; with one
  of them: that day's whole month. At most two years.
- *Response* is **met** when the ticket was accepted at or before its response deadline
  (`response_due_at`), **breached** when it was accepted after it or is still unaccepted
  past it, **pending** otherwise. *Resolution* likewise, with the last resolution against
  the resolution deadline as holds (waiting on the requester or a vendor) moved it; a ticket
  on hold past its old deadline is pending (the hold will move the deadline).
- *Met %* = met ÷ (met + breached) × 100, rounded half up to one decimal; `null` when no
  ticket is decided yet. Pending tickets are left out. *Share %* = the group's tickets ÷ the
  period's tickets × 100, rounded the same way.
- *Cancelled and merged* tickets (closed as a duplicate) count in volume (`tickets`; the
  column `excluded` says how many) but are left out of compliance, times and the
  per-engineer figures.
- *Times*: median and 90th percentile (interpolated) of the tickets accepted (for
  response) or resolved (for resolution), in **working minutes** on the ticket's SLA
  calendar (response: submission to acceptance; resolution: submission to the last
  resolution, time on hold left out; every minute counts for a 7×24 priority) and in
  **wall-clock minutes** (the elapsed time between the timestamps, holds included),
  rounded to one decimal.
- *Groups* (`group_by`): `priority`, `channel` (every value shown, zeros included),
  `category` (top-level category, sub-categories folded in), `subcategory`, `site` (code;
  `""` = no site), `engineer` (current assignee's username; `""` = unassigned), `day`,
  `week` (ISO week, keyed by its Monday), `month` (keyed by its first day); every day,
  week or month of the period is a row, zeros included.
- *Filters*: `site` (codes), `category` (slugs; a parent takes its sub-categories), `priority`,
  `channel`, `engineer` (usernames), each repeatable or comma-separated. Someone limited to
  some sites only ever sees those sites' tickets.
- *Backlog*: open at the end of a day = submitted before the desk's midnight after it and
  not verified or closed by then (whatever the submission date: the period picks the days);
  ageing = the tickets open now by age.
- *Satisfaction*: the surveys of the period's tickets; averages over the answered ones (1–5,
  two decimals).
- *Per engineer*: the tickets assigned to the engineer now; reopened = tickets whose fix was
  rejected or that were reopened at least once. Training, for the same engineers:
  `trainings_attended` = sessions starting in the period where they were recorded present;
  `assessment_avg` = the average of their technical and service assessments recorded in the
  period, `drill_avg` of their drills scored in it (0–100, two decimals, `null` for none);
  the total row averages every score of the engineers shown.

`Accept: text/csv` or `?format=csv` gives the table as CSV (UTF-8 with a byte-order mark,
headers in the reader's language, the total row last); `?format=xlsx` as an Excel workbook.
"""

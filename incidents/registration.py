"""How the incidents app plugs into the layers below it, once, from ``IncidentsConfig.ready``.

* ``accounts.roles``: who reads, declares and works incidents, who receives the reports
  (``incidents.permissions``);
* ``notifications.kinds``: the sweep's two kinds (``ClockKind``: the task force late, the
  management report) and the other notices (``IncidentNotice``);
* ``sla.obligations``: the task-force deadline and the report grid
  (``incidents.obligations.IncidentClocks``);
* ``tickets.hooks``: the linked ticket's timeline entry and the notice under its
  description (``incidents.panels``).
"""

from __future__ import annotations

from accounts import roles
from incidents import panels
from incidents.choices import ClockKind, IncidentEntry, IncidentNotice
from incidents.obligations import IncidentClocks
from incidents.permissions import CAPABILITIES, ROLE_GRANTS
from notifications import kinds
from notifications.choices import Urgency
from sla import obligations
from tickets import hooks

ENTRY_TEMPLATE = "incidents/partials/timeline_entry.html"
NOTICE_TEMPLATE = "incidents/partials/ticket_notice.html"


def register() -> None:
    roles.declare("incidents", ROLE_GRANTS, CAPABILITIES)
    kinds.register(ClockKind)
    kinds.register(IncidentNotice)
    # A major incident's news goes at once: never folded into a digest, through quiet hours.
    kinds.at_least(Urgency.HIGH, *ClockKind.values, *IncidentNotice.values)
    obligations.register(IncidentClocks())
    hooks.register_entry_kinds(
        IncidentEntry,
        icon="ti-urgent",
        templates=dict.fromkeys(IncidentEntry.values, ENTRY_TEMPLATE),
    )
    hooks.register_panel(hooks.Panel(panels.NOTICE, "main", NOTICE_TEMPLATE, panels.notice, 10))

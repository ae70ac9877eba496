"""How the knowledge app plugs into the layers below it, once, from ``KnowledgeConfig.ready``.

* ``accounts.roles``: who reads, writes and reviews articles, uses scripts, edits the
  glossary (``knowledge.permissions``);
* ``tickets.hooks``: the timeline's entries (an article linked or unlinked, a ticket turned
  into an article), the work view's panel (linked and suggested articles, similar resolved
  tickets: ``knowledge.panels``), the new-ticket form's suggestions (a filing aside) and
  the ``filed`` receiver that notes a ticket filed despite them (deflection).
"""

from __future__ import annotations

from accounts import roles
from knowledge import panels
from knowledge.choices import KnowledgeEntry
from knowledge.permissions import CAPABILITIES, ROLE_GRANTS
from knowledge.services import suggestions
from knowledge.views.suggest import ASIDE, aside_context
from tickets import hooks
from tickets.models import Ticket

ENTRY_TEMPLATE = "knowledge/partials/timeline_entry.html"


def register() -> None:
    roles.declare("knowledge", ROLE_GRANTS, CAPABILITIES)
    hooks.register_entry_kinds(
        KnowledgeEntry,
        icon="ti-book",
        templates=dict.fromkeys(KnowledgeEntry.values, ENTRY_TEMPLATE),
    )
    hooks.register_panel(
        hooks.Panel(
            panels.WORK_PANEL,
            "work",
            "knowledge/partials/ticket_panel.html",
            panels.work_panel,
            order=50,
        )
    )
    hooks.register_filing_aside(ASIDE, "knowledge/suggest_aside.html", aside_context)
    hooks.filed.connect(suggestions.on_filed, sender=Ticket, dispatch_uid="knowledge.filed")

"""How the people app plugs into the layers below it, once, from ``PeopleConfig.ready``:

* ``accounts.roles``: who reads and edits the team's skills (``people.permissions``);
* ``tickets.hooks``: the assigner of new tickets (``people.assignment``) with the labels of
  its "why nobody" notes, and its internal timeline entry.
"""

from __future__ import annotations

from accounts import roles
from people import assignment
from people.choices import AssignEntry
from people.permissions import CAPABILITIES, ROLE_GRANTS
from tickets import hooks


def register() -> None:
    roles.declare("people", ROLE_GRANTS, CAPABILITIES)
    hooks.register_assigner(assignment.assign_new_ticket, notes=assignment.note_labels())
    hooks.register_entry_kinds(AssignEntry, icon="ti-user-question")

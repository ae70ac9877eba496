"""How the training app plugs into the layers below it, once, from ``TrainingConfig.ready``.

* ``accounts.roles``: who attends, reads and runs training (``training.permissions``);
* ``notifications.kinds``: the attendees' invitation, a drill assigned and scored;
* ``tickets.hooks``: the work view's "make a drill" card for tech leads on solved tickets.
"""

from __future__ import annotations

from accounts import roles
from notifications import kinds
from tickets import hooks
from training import panels
from training.choices import TrainingNotice
from training.permissions import CAPABILITIES, ROLE_GRANTS


def register() -> None:
    roles.declare("training", ROLE_GRANTS, CAPABILITIES)
    kinds.register(TrainingNotice)
    hooks.register_panel(
        hooks.Panel(
            panels.PANEL, "work", "training/partials/drill_panel.html", panels.work_panel, 90
        )
    )

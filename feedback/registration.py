"""How the feedback app plugs into the layers below it, once, from ``FeedbackConfig.ready``.

* ``accounts.roles``: who reads every survey (``feedback.permissions``);
* ``notifications.kinds``: the invitation and the low-rating notice;
* ``sla.obligations``: the survey's time-out (``feedback.obligations.SurveyClose``);
* ``tickets.hooks``: the ``verified`` receiver (the invitation), the panels (the
  requester's form, the engineer's read-only answer, the service report) and the
  timeline's entries;
* ``channels.commands``: ``1``–``5`` sent by IM answers the open survey (``feedback.im``).
"""

from __future__ import annotations

from accounts import roles
from channels import commands
from feedback import im, panels, services
from feedback.choices import SurveyEntry, SurveyNotice
from feedback.obligations import SurveyClose
from feedback.permissions import CAPABILITIES, ROLE_GRANTS
from notifications import kinds
from sla import obligations
from tickets import hooks
from tickets.models import Ticket

ENTRY_TEMPLATE = "feedback/partials/timeline_entry.html"


def register() -> None:
    roles.declare("feedback", ROLE_GRANTS, CAPABILITIES)
    kinds.register(SurveyNotice)
    obligations.register(SurveyClose())
    commands.register(im.RATING, im.rate_by_im, name="feedback.rating")
    hooks.verified.connect(services.on_verified, sender=Ticket, dispatch_uid="feedback.verified")
    hooks.register_panel(
        hooks.Panel(
            panels.REQUESTER_PANEL,
            "requester",
            "feedback/partials/requester_panel.html",
            panels.requester_panel,
            order=5,
        )
    )
    hooks.register_panel(
        hooks.Panel(
            panels.WORK_PANEL,
            "work",
            "feedback/partials/work_panel.html",
            panels.work_panel,
            order=1,
        )
    )
    hooks.register_panel(
        hooks.Panel(
            panels.REPORT_PANEL,
            "report",
            "feedback/partials/report_panel.html",
            panels.report_panel,
            order=90,
        )
    )
    hooks.register_entry_kinds(
        SurveyEntry,
        icon="ti-star",
        templates=dict.fromkeys(SurveyEntry.values, ENTRY_TEMPLATE),
    )

"""Who reads and writes the weekly review and the monthly audit.

Asked through capabilities (never group names), so a custom role built in the admin works:

* **weekly review** — read by the desk and management: engineers (``work_queue``, read
  only: they learn from it), tech leads, managers (``view_reports``), admins. Written
  (generate, root causes, actions, knowledge-base updates, close) by tech leads (``lead``)
  and admins. Requesters get 403.
* **monthly audit** — auditors only: managers (``view_reports``), tech leads (``lead``)
  and admins, who read, draw, check and close it. Engineers and requesters get 403: the
  audit judges their work.

Staff limited to some sites (R7.2) see only those sites' tickets in a review or an audit
(``serves``); the rest are counted, not shown.
"""

from __future__ import annotations

from accounts.models import AnyUser
from accounts.permissions import capabilities
from tickets.permissions import serves_site


def may_read_reviews(user: AnyUser) -> bool:
    caps = capabilities(user)
    return caps.work_queue or caps.view_reports or caps.lead or caps.admin


def may_edit_reviews(user: AnyUser) -> bool:
    caps = capabilities(user)
    return caps.lead or bool(user.is_authenticated and user.is_superuser)


def may_audit(user: AnyUser) -> bool:
    caps = capabilities(user)
    return caps.view_reports or caps.lead or bool(user.is_authenticated and user.is_superuser)


def serves(user: AnyUser, site_id: int | None) -> bool:
    """Whether ``user``'s site limits show them a ticket of ``site_id`` (one query per user
    object, cached on it)."""
    return serves_site(user, site_id)

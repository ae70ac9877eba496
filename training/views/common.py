"""What the training pages share: who may open them, files leaving safely, the tabs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import capabilities
from tickets.views.common import signed_in_user
from training import permissions

PAGE_SIZE = 50


def member(request: HttpRequest) -> User:
    """The desk's staff; a requester is refused (403)."""
    user = signed_in_user(request)
    if not permissions.uses_training(user):
        raise PermissionDenied(_("Training is for the service desk's staff."))
    return user


def manager(request: HttpRequest) -> User:
    user = member(request)
    if not permissions.can_manage(user):
        raise PermissionDenied(_("Only tech leads do this."))
    return user


def protect(response: HttpResponseBase) -> HttpResponseBase:
    """A file leaves as a download the browser never sniffs or runs."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def tabs(user: User, current: str) -> dict[str, Any]:
    """The team area's tab bar (``people/_tabs.html``) and whether the reader sees the team's
    pages or their own."""
    caps = capabilities(user)
    return {
        # The team's pages live under "Team" in the top bar; an engineer's under their own.
        "nav": "team" if caps.view_team else "training",
        "people_tab": "drills" if current == "drills" else "training",
        "training_tab": current,
        "team_view": permissions.reads_everything(user),
    }

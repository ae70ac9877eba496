"""The followers panel of the ticket page (``partials/watchers.html``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from accounts.models import User
from tickets import permissions, selectors
from tickets.models import Ticket, Watcher

register = template.Library()


@dataclass
class WatcherPanel:
    """Who follows the ticket and what the viewer may change about it."""

    watchers: list[Watcher] = field(default_factory=list)
    following: bool = False
    can_follow: bool = False
    can_add: bool = False
    removable: set[int] = field(default_factory=set)
    suggestions: list[User] = field(default_factory=list)
    form: Any = None


@register.simple_tag(takes_context=True)
def watcher_panel(context: template.Context, ticket: Ticket) -> WatcherPanel:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return WatcherPanel()
    watchers = selectors.watchers_shown(ticket)
    following = any(w.user_id == user.pk for w in watchers)
    can_add = permissions.can_add_watchers(ticket, user)
    return WatcherPanel(
        watchers=watchers,
        following=following,
        can_follow=not following and permissions.can_follow(ticket, user),
        can_add=can_add,
        removable={
            w.user_id for w in watchers if permissions.can_remove_watcher(ticket, user, w.user_id)
        },
        # A requester's department, offered before they type (engineers search as they type).
        suggestions=(
            selectors.watcher_candidates(user, ticket)
            if can_add and not permissions.can_work(ticket, user)
            else []
        ),
        form=context.get("watcher_form"),
    )

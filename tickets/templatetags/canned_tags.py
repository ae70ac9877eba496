"""The canned-reply picker of the ticket page's reply form (``partials/canned_picker.html``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from tickets import permissions, selectors
from tickets.models import CannedReply

register = template.Library()


@dataclass
class CannedPicker:
    """What the picker offers the viewer: nothing at all to people who do not answer tickets."""

    allowed: bool = False
    shared: list[CannedReply] = field(default_factory=list)
    mine: list[CannedReply] = field(default_factory=list)

    @property
    def has_replies(self) -> bool:
        return bool(self.shared or self.mine)


@register.simple_tag(takes_context=True)
def canned_picker(context: template.Context) -> CannedPicker:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not permissions.can_use_canned_replies(user):
        return CannedPicker()
    replies = selectors.canned_titles_for(user)
    return CannedPicker(
        allowed=True,
        shared=[r for r in replies if r.owner_id is None],
        mine=[r for r in replies if r.owner_id is not None],
    )

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import User
from notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell in the top bar (one indexed COUNT per page)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}

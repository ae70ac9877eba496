from __future__ import annotations

from django.http import HttpRequest

from accounts.permissions import Capabilities, capabilities


def roles(request: HttpRequest) -> dict[str, Capabilities]:
    """What the navigation may offer this user (the server checks again on every action)."""
    return {"can": capabilities(request.user)}

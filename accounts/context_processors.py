from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.permissions import capabilities


def roles(request: HttpRequest) -> dict[str, Any]:
    """What the navigation may offer this user (the server checks again on every action)."""
    return {"can": capabilities(request.user)}

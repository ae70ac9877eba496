"""Plain factory functions for people."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.roles import assign_role

PASSWORD = "correct horse battery staple"


def make_user(username: str, *roles: str, **overrides: Any) -> User:
    """A user with a usable password and the given roles (``Role.X`` values)."""
    fields: dict[str, Any] = {
        "email": f"{username}@example.com",
        "display_name": username.capitalize(),
        **overrides,
    }
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    for role in roles:
        assign_role(user, role)
    # A fresh instance: no permission cache from before the roles were given.
    return User.objects.get(pk=user.pk)

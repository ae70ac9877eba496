"""Reads from accounts."""

from __future__ import annotations

from rest_framework.authtoken.models import Token

from accounts.models import User


def api_token_for(user: User) -> Token | None:
    """The user's API token, if they have one (expired or not)."""
    return Token.objects.filter(user=user).first()

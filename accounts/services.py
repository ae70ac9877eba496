"""Writes to accounts."""

from __future__ import annotations

from accounts.models import User


def set_user_language(user: User, language: str) -> None:
    """Remember the user's interface language (``zh-hans`` or ``en``)."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])

"""Domain errors raised by services; adapters map them to 404 / 403 / 409 / 400."""

from __future__ import annotations

from django.core.exceptions import ValidationError

__all__ = ["ActionForbidden", "InvalidTransition", "TicketNotFound", "ValidationError"]


class TicketNotFound(Exception):
    """The ticket does not exist, or this user may not see it (both look the same: 404)."""


class ActionForbidden(Exception):
    """The user can see the ticket but may not do this (403)."""


class InvalidTransition(Exception):
    """Not allowed in the ticket's current state (409); nothing was changed."""

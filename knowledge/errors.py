"""Domain errors of the knowledge base; Django and DRF already map their bases.

A 409 (not allowed in the article's current status) is ``tickets.errors.InvalidTransition``,
which ``tickets.api.errors`` maps for every API; pages catch it themselves.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class ArticleNotFound(Http404):
    """No such article, or not one this person may read (both look the same: 404)."""


class ScriptNotFound(Http404):
    """No such script (or file of an article), or not one this person may see."""


class KnowledgeForbidden(PermissionDenied):
    """The person may read it but may not do this (403)."""

"""What the vendors services raise besides ``tickets.errors`` (404 on pages and the API)."""

from __future__ import annotations

from django.http import Http404


class VendorNotFound(Http404):
    """No such vendor, or the caller may not read vendors."""


class CaseNotFound(Http404):
    """No such vendor case on this ticket (or the caller may not read cases)."""

"""What the training services raise besides ``tickets.errors`` (404 on pages and the API)."""

from __future__ import annotations

from django.http import Http404


class SessionNotFound(Http404):
    """No such training session, or not one the caller may see."""


class DrillNotFound(Http404):
    """No such drill, or not one the caller may see (another engineer's)."""


class FileNotFound(Http404):
    """No such file on this session or drill (or not yet shown: a drill not started)."""

"""What the incidents services and selectors raise besides ``tickets.errors``.

``IncidentNotFound`` is a 404 on pages and the API (it is an ``Http404``); a person who may
not read incidents at all gets ``IncidentsForbidden`` (a ``PermissionDenied``: 403 on both).
Services refuse actions with ``tickets.errors.ActionForbidden`` (403) and
``InvalidTransition`` (409), and bad input with ``ValidationError`` naming the field (400).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class IncidentNotFound(Http404):
    """No major incident with this number."""


class IncidentsForbidden(PermissionDenied):
    """Major incidents are the desk's and management's: requesters are refused."""

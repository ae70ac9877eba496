"""Domain errors of the device register; both Django and DRF already map their bases."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class AssetNotFound(Http404):
    """No such device, or not one this person may see (both look the same: 404)."""


class AssetForbidden(PermissionDenied):
    """The person may see the device (or the register) but may not do this (403)."""

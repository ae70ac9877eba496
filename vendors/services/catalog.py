"""The vendor list: tech leads and admins add vendors and keep them up to date.

A vendor is never deleted once a case names it (``PROTECT``); one no longer used is
marked inactive and is no longer offered for new cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.errors import ActionForbidden
from tickets.services import base
from vendors import permissions
from vendors.errors import VendorNotFound
from vendors.models import Vendor

EDITABLE = ("name", "contacts", "contract_reference", "warranty_reference", "is_active")


def _check_manager(actor: User) -> None:
    if not permissions.can_manage_vendors(actor):
        raise ActionForbidden(_("Only tech leads and admins manage vendors."))


def _clean(values: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Cleaned values for the fields given (every field when not ``partial``)."""
    cleaned: dict[str, Any] = {}
    for field in EDITABLE:
        if partial and field not in values:
            continue
        value = values.get(field)
        if field == "is_active":
            cleaned[field] = True if value is None else bool(value)
        elif field == "contacts":
            cleaned[field] = base.text(field, value, model=Vendor, required=False)
        else:
            cleaned[field] = base.text(
                field, value, model=Vendor, required=field == "name", single_line=True
            )
    return cleaned


def _check_unique(name: str, *, exclude: int | None = None) -> None:
    taken = Vendor.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": _("A vendor with this name exists already.")})


def create_vendor(*, actor: User, **values: Any) -> Vendor:
    """Add a vendor; ``name`` is the only field required."""
    _check_manager(actor)
    cleaned = _clean(values, partial=False)
    with transaction.atomic():
        _check_unique(cleaned["name"])
        return Vendor.objects.create(**cleaned)


def update_vendor(vendor_id: int, *, actor: User, changes: Mapping[str, Any]) -> Vendor:
    """Change the fields given in ``changes`` (the others stay as they are)."""
    with transaction.atomic():
        vendor = Vendor.objects.select_for_update(no_key=True).filter(pk=vendor_id).first()
        if vendor is None or not permissions.can_read_vendors(actor):
            raise VendorNotFound
        _check_manager(actor)
        cleaned = _clean(changes, partial=True)
        if "name" in cleaned:
            _check_unique(cleaned["name"], exclude=vendor.pk)
        for field, value in cleaned.items():
            setattr(vendor, field, value)
        if cleaned:
            vendor.save(update_fields=list(cleaned))
        return vendor

"""Every permission-scoped read of devices and their maintenance history.

Pages and the API start from these functions: staff with ``view_assets`` read every
device, anyone else only the devices they own.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from accounts.models import AnyUser
from accounts.permissions import capabilities
from assets.errors import AssetNotFound
from assets.models import Asset, MaintenanceRecord

# How many maintenance records a page shows beside a visit (the asset page shows all).
RECENT_MAINTENANCE = 5


def assets_visible_to(user: AnyUser) -> QuerySet[Asset]:
    if not user.is_authenticated or not user.is_active:
        return Asset.objects.none()
    if capabilities(user).view_assets:
        return Asset.objects.all()
    return Asset.objects.filter(owner_id=user.pk)


def asset_list_for(
    user: AnyUser, *, q: str = "", kind: str = "", site: str = ""
) -> QuerySet[Asset]:
    """The register as a list: searched by tag, model, vendor or owner (username or name),
    filtered by kind and site code; the site and owner joined, so a page is one query."""
    rows = assets_visible_to(user).select_related("site", "owner")
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(tag__icontains=q)
            | Q(model__icontains=q)
            | Q(vendor__icontains=q)
            | Q(owner__username__icontains=q)
            | Q(owner__display_name__icontains=q)
        )
    if kind:
        rows = rows.filter(kind=kind)
    if site:
        rows = rows.filter(site__code=site)
    return rows.order_by("tag")


def get_asset_for(user: AnyUser, asset_id: int | str) -> Asset:
    try:
        pk = int(asset_id)
    except (TypeError, ValueError):
        raise AssetNotFound from None
    asset = assets_visible_to(user).select_related("site", "owner").filter(pk=pk).first()
    if asset is None:
        raise AssetNotFound
    return asset


def owned_by(user: AnyUser) -> QuerySet[Asset]:
    """A person's own devices (the report form and the ticket's device picker offer them)."""
    if not user.is_authenticated:
        return Asset.objects.none()
    return Asset.objects.filter(owner_id=user.pk).order_by("tag")


def maintenance_for(asset_id: int, *, limit: int | None = None) -> list[MaintenanceRecord]:
    """The device's history, newest first, with each record's ticket number and requester
    read in the same query (the ticket row itself, with its search vectors, is not)."""
    rows = (
        MaintenanceRecord.objects.filter(asset_id=asset_id)
        .annotate(ticket_number=F("ticket__number"), ticket_requester_id=F("ticket__requester_id"))
        .order_by("-date", "-pk")
    )
    return list(rows[:limit] if limit else rows)

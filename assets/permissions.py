"""What the assets app declares about permissions, and who may do what to a device.

Declared here, merged by ``accounts.roles`` after every migrate: the permissions the app
owns (Django's ``view_asset``, ``add_asset``, ``change_asset`` and ``import_assets`` on
``Asset.Meta``), what each role is granted of them and the capability names the pages,
the API and the services ask for.

Engineers and tech leads read, add and change devices; managers read them; importing a
CSV file (many devices at once) is for tech leads and admins. A requester holds none of
these and still sees the devices they own, read-only (``can_view``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import capabilities
from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import AnyUser
    from assets.models import Asset

ASSET_PERMISSIONS = [("import_assets", "Can import assets from a CSV file")]

_STAFF = ["view_asset", "add_asset", "change_asset"]

ROLE_GRANTS: dict[str, list[str]] = {
    Role.ENGINEER: _STAFF,
    Role.TECH_LEAD: [*_STAFF, "import_assets"],
    Role.MANAGER: ["view_asset"],
    Role.ADMIN: [*_STAFF, "import_assets"],
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {
    "view_assets": "view_asset",
    "add_assets": "add_asset",
    "edit_assets": "change_asset",
    "import_assets": "import_assets",
}


def can_view(asset: Asset, user: AnyUser) -> bool:
    """Staff who read every device; otherwise only the device's owner."""
    if not user.is_authenticated:
        return False
    return capabilities(user).view_assets or asset.owner_id == user.pk


def can_add(user: AnyUser) -> bool:
    return capabilities(user).add_assets


def can_edit(asset: Asset, user: AnyUser) -> bool:
    return capabilities(user).edit_assets


def can_import(user: AnyUser) -> bool:
    return capabilities(user).import_assets

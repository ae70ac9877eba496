"""The assets part of the demo data (``manage.py load_demo``): the devices in the demo offices.

``demo/registry.py`` runs ``load`` after the accounts part, whose sites and
people the devices sit at and belong to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from accounts.models import Site, User
from assets.models import Asset


class Context(Protocol):
    """What this part reads of the demo context (sites, users) and fills in (assets by tag)."""

    sites: dict[str, Site]
    users: dict[str, User]
    assets: dict[str, Asset]


@dataclass(frozen=True)
class AssetSpec:
    tag: str
    kind: str
    vendor: str
    model: str
    os_version: str
    site: str  # site code
    owner: str | None  # username
    warranty_end: dt.date | None


# fmt: off
ASSETS = [
    # tag, kind, vendor, model, OS or firmware, site, owner, warranty ends
    AssetSpec("SH-PRN-0001", "printer", "HP", "LaserJet Pro M404dn", "固件 002.2135",
              "sh-hq", None, dt.date(2026, 6, 30)),
    AssetSpec("SH-LT-0012", "laptop", "Lenovo", "ThinkPad X1 Carbon Gen 11", "Windows 11 23H2",
              "sh-hq", "alice", dt.date(2027, 3, 31)),
    AssetSpec("BJ-PC-0031", "desktop", "Dell", "OptiPlex 7090", "Windows 10 22H2",
              "bj", "carol", dt.date(2025, 9, 30)),
    AssetSpec("BJ-SW-0001", "network", "H3C", "S5130S-28S-EI", "Comware V7.1.070",
              "bj", None, dt.date(2027, 12, 31)),
    AssetSpec("BJ-AP-0003", "network", "Huawei", "AirEngine 5761-11", "V200R022C00",
              "bj", None, dt.date(2028, 1, 31)),
    AssetSpec("SH-SRV-0002", "server", "Dell", "PowerEdge R740", "Windows Server 2019 (FS01)",
              "sh-hq", None, dt.date(2026, 2, 28)),
    AssetSpec("SZ-LT-0007", "laptop", "Dell", "Latitude 7440", "Windows 11 23H2",
              "sz", "frank", dt.date(2027, 5, 31)),
    AssetSpec("SH-PH-0005", "phone", "Yealink", "SIP-T54W", "96.86.0.70",
              "sh-hq", None, dt.date(2026, 8, 31)),
]
# fmt: on


# --- the hooks demo/registry.py calls ---------------------------------------------


def conflicts() -> list[str]:
    """Demo asset tags someone else already used: the demo never touches their devices."""
    taken = sorted(
        Asset.objects.filter(tag__in=[a.tag for a in ASSETS]).values_list("tag", flat=True)
    )
    return [f"asset tags already exist: {', '.join(taken)}"] if taken else []


def load(context: Context) -> None:
    context.assets.update(
        {
            spec.tag: Asset.objects.create(
                tag=spec.tag,
                kind=spec.kind,
                vendor=spec.vendor,
                model=spec.model,
                os_version=spec.os_version,
                site=context.sites[spec.site],
                owner=context.users[spec.owner] if spec.owner else None,
                warranty_end=spec.warranty_end,
            )
            for spec in ASSETS
        }
    )


def summary(context: Context) -> list[str]:
    return [f"{len(context.assets)} assets"]

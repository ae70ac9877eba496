"""Plain factory functions for sites and devices."""

from __future__ import annotations

from typing import Any

from accounts.models import Site, User
from assets.models import Asset


def make_site(code: str = "sh-hq", name: str = "上海总部 Shanghai HQ") -> Site:
    site, _created = Site.objects.get_or_create(code=code, defaults={"name": name})
    return site


def make_asset(tag: str = "SH-LT-0012", *, owner: User | None = None, **overrides: Any) -> Asset:
    fields: dict[str, Any] = {
        "kind": "laptop",
        "vendor": "Lenovo",
        "model": "ThinkPad X1 Carbon Gen 11",
        "os_version": "Windows 11 23H2",
        "owner": owner,
        **overrides,
    }
    return Asset.objects.create(tag=tag, **fields)

"""Role capabilities, asked by name, declared by the apps that own the permissions.

Each app declares which of its permissions stand for which capability
(the tickets app says which of its permissions is `work_queue` …) through
``accounts.roles.declare``; this module answers "may this user …" for the
navigation and the services without naming any app's permission itself.
Object-level rules live in each app's ``permissions.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import AnyUser

# capability name -> "app_label.codename", filled by the apps' declarations
_declared: dict[str, str] = {}


def declare_capabilities(app_label: str, capabilities: dict[str, str]) -> None:
    for name, codename in capabilities.items():
        permission = f"{app_label}.{codename}"
        if _declared.get(name, permission) != permission:
            raise ValueError(f"capability {name!r} is declared twice")
        _declared[name] = permission


class Capabilities:
    """What a user may do, by capability name: ``caps.work_queue``, ``caps.view_reports``.

    An undeclared name is an ``AttributeError``, so a typo fails loudly; ``admin``
    (staff) is the one capability that is not a permission.
    """

    __slots__ = ("_granted", "admin")

    def __init__(self, *, admin: bool = False, **granted: bool) -> None:
        self.admin = admin
        self._granted = frozenset(name for name, value in granted.items() if value)

    def __getattr__(self, name: str) -> bool:
        if name in _declared:
            return name in self._granted
        raise AttributeError(f"no capability named {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Capabilities):
            return NotImplemented
        return (self.admin, self._granted) == (other.admin, other._granted)

    def __hash__(self) -> int:
        return hash((self.admin, self._granted))

    def __repr__(self) -> str:
        flags = ", ".join(sorted(self._granted))
        return f"Capabilities({flags}{', admin' if self.admin else ''})"


def capabilities(user: AnyUser | None) -> Capabilities:
    """The user's capabilities, computed once per user object (as Django caches its
    permissions on it): a page asks for every row of a list."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Capabilities()
    cached = getattr(user, "_capabilities_cache", None)
    if isinstance(cached, Capabilities):
        return cached
    perms = user.get_all_permissions()
    found = Capabilities(
        admin=bool(user.is_staff),
        **{name: permission in perms for name, permission in _declared.items()},
    )
    user._capabilities_cache = found  # type: ignore[attr-defined]
    return found

"""Roles are Django groups; each app declares what it grants each role, merged here.

An app declares, from its ``AppConfig.ready``, its role grants (codenames of
its own permissions per role) and its capability names; ``ensure_role_groups``
merges every declaration into the groups after each migrate. Checks elsewhere
ask for permissions or capabilities, never for group names, so an admin can
build a custom role in the admin from the same permissions. This module names
no app's permission itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import declare_capabilities

if TYPE_CHECKING:
    from accounts.models import User


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    ENGINEER = "engineer", _("Engineer")
    TECH_LEAD = "tech_lead", _("Tech lead")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


# app_label -> role -> codenames of that app's permissions
_grants: dict[str, dict[str, list[str]]] = {}


def declare(
    app_label: str,
    grants: Mapping[str, Sequence[str]],
    capabilities: dict[str, str] | None = None,
) -> None:
    """Record what ``app_label`` grants each role (and its capability names). Idempotent."""
    _grants[app_label] = {str(role): list(codenames) for role, codenames in grants.items()}
    declare_capabilities(app_label, capabilities or {})


def role_permissions() -> dict[str, list[str]]:
    """Every role's permissions as ``app_label.codename``, merged over the declarations."""
    merged: dict[str, list[str]] = {role: [] for role in Role.values}
    for app_label, grants in sorted(_grants.items()):
        for role, codenames in grants.items():
            merged[role] += [f"{app_label}.{codename}" for codename in codenames]
    return merged


def ensure_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create the role groups and (re)attach their permissions. Idempotent; runs after migrate."""
    # auth's models are not loaded yet when the apps import this module to declare grants.
    from django.contrib.auth.models import Group, Permission

    wanted_by_role = role_permissions()
    wanted = {perm for perms in wanted_by_role.values() for perm in perms}
    by_name: dict[str, Permission] = {}
    for perm in Permission.objects.select_related("content_type").filter(
        content_type__app_label__in={p.split(".")[0] for p in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    if not wanted <= by_name.keys():
        return  # an app has not been migrated yet; a later post_migrate retries
    for role, perms in wanted_by_role.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in perms])


def assign_role(user: User, role: str) -> None:
    # auth's models are not loaded yet when the apps import this module to declare grants.
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=role).first()
    if group is None:  # before the first migrate's post_migrate, or after a flush
        ensure_role_groups()
        group = Group.objects.get(name=role)
    user.groups.add(group)
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])

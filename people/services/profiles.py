"""What a tech lead sets about an engineer besides skills: the sites they cover, their
working hours (a business calendar) and whether automatic assignment may pick them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Site, User
from people import permissions
from people.models import EngineerProfile
from people.services.skills import check_engineer
from sla.models import BusinessCalendar
from tickets.errors import ActionForbidden


@transaction.atomic
def update_profile(
    engineer: User,
    *,
    actor: User,
    sites: Iterable[Site],
    calendar: BusinessCalendar | None,
    auto_assign: bool,
) -> EngineerProfile:
    """Set the engineer's covered sites (none: every site), calendar (none: the desk's
    default) and automatic assignment (off: e.g. on leave). Tech leads only."""
    if not permissions.can_edit_team(actor):
        raise ActionForbidden(_("Only tech leads change engineers' profiles."))
    check_engineer(engineer)
    profile, _created = EngineerProfile.objects.select_for_update(no_key=True).get_or_create(
        user=engineer
    )
    profile.calendar = calendar
    profile.auto_assign = auto_assign
    profile.save(update_fields=["calendar", "auto_assign"])
    profile.sites.set(list(sites))
    return profile

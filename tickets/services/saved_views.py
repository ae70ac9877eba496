"""A person's saved views: named sets of queue filters shown as their own tabs.

Not ticket writes (no timeline entry): a view belongs to one person and changes only
their page. Each function locks the owner's row first, so two saves from two browser
tabs cannot both pass the per-person limit or the unique-name check.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.filters import canonical_query
from tickets.limits import max_length
from tickets.models import SavedView
from tickets.services import base

# Tabs beyond this crowd the queue's header; deleting one makes room.
MAX_SAVED_VIEWS = 20


def _lock_owner(actor: User) -> None:
    User.objects.select_for_update(no_key=True).filter(pk=actor.pk).exists()


def _name(actor: User, value: object, *, other_than: int | None = None) -> str:
    name = base.text("name", value, model=SavedView, single_line=True)
    taken = SavedView.objects.filter(owner=actor, name=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise ValidationError({"name": _("You already have a tab with this name.")})
    return name


def save_view(*, actor: User, name: str, query: str) -> SavedView:
    """Keep the queue's current filters (``query``, a querystring) as a tab named ``name``,
    after the person's other tabs. The filters are kept in one spelling
    (``canonical_query``), so the tab is lit whenever the queue shows them."""
    filters = canonical_query(QueryDict(query or ""))
    if not filters:
        raise ValidationError(
            {"query": _("Choose some filters first: without them the tab shows “All open”.")}
        )
    if len(filters) > max_length(SavedView, "query"):
        raise ValidationError({"query": _("These filters are too long to keep as a tab.")})
    with transaction.atomic():
        _lock_owner(actor)
        views = SavedView.objects.filter(owner=actor)
        if views.count() >= MAX_SAVED_VIEWS:
            raise ValidationError(
                {
                    "name": _("You have %(count)d tabs already; delete one first.")
                    % {"count": MAX_SAVED_VIEWS}
                }
            )
        same = views.filter(query=filters).first()
        if same is not None:
            raise ValidationError(
                {
                    "name": _("Your tab “%(name)s” already shows these filters.")
                    % {"name": same.name}
                }
            )
        last = views.aggregate(last=Max("position"))["last"]
        return SavedView.objects.create(
            owner=actor,
            name=_name(actor, name),
            query=filters,
            position=0 if last is None else last + 1,
            created_at=timezone.now(),
        )


def rename_view(view_id: int, *, actor: User, name: str) -> SavedView:
    """Rename one of the person's own tabs (``SavedView.DoesNotExist`` for anyone else's)."""
    with transaction.atomic():
        _lock_owner(actor)
        view = SavedView.objects.get(pk=view_id, owner=actor)
        view.name = _name(actor, name, other_than=view.pk)
        view.save(update_fields=["name"])
        return view


def delete_view(view_id: int, *, actor: User) -> str:
    """Remove one of the person's own tabs; its name, for the message."""
    with transaction.atomic():
        view = SavedView.objects.select_for_update().get(pk=view_id, owner=actor)
        view.delete()
        return view.name

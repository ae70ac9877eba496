from __future__ import annotations

from typing import TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from tickets.models import Category, Ticket, TicketEvent

_M = TypeVar("_M", bound=Model)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("slug", "name", "name_en", "parent", "is_security", "is_active", "sort_order")
    list_filter = ("is_security", "is_active", "parent")
    prepopulated_fields = {"slug": ("name_en",)}


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """Tickets change only through services; the admin shows them read-only."""

    def has_add_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin[Ticket]):
    list_display = ("number", "title", "state", "priority", "requester", "assignee", "submitted_at")
    list_filter = ("state", "priority", "channel", "category")
    search_fields = ("number", "title")
    list_select_related = ("requester", "assignee")


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin[TicketEvent]):
    list_display = ("ticket", "kind", "actor", "at")
    list_select_related = ("ticket", "actor")

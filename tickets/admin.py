from django.contrib import admin

from tickets.models import Category, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "name_en", "parent", "is_security", "is_active", "sort_order")
    list_filter = ("is_security", "is_active", "parent")
    prepopulated_fields = {"slug": ("name_en",)}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Tickets change only through services; the admin shows them read-only."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "state", "priority", "requester", "assignee", "submitted_at")
    list_filter = ("state", "priority", "channel", "category")
    search_fields = ("number", "title")
    list_select_related = ("requester", "assignee")


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "actor", "at")
    list_select_related = ("ticket", "actor")

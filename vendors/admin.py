"""The vendor list in the admin (the same rows as ``/vendors/``); cases read-only, since a
case changes only through its services (the hold, the clock and the timeline go with it)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tickets.admin import ReadOnlyAdmin
from vendors.models import Vendor, VendorCase, VendorCaseUpdate


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin[Vendor]):
    list_display = ("name", "contract_reference", "warranty_reference", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contacts", "contract_reference", "warranty_reference")

    def has_delete_permission(self, request: HttpRequest, obj: Vendor | None = None) -> bool:
        """Cases name their vendor; mark one inactive instead of deleting it."""
        return False


class CaseUpdateInline(admin.TabularInline[VendorCaseUpdate, VendorCase]):
    model = VendorCaseUpdate
    fields = ("created_at", "author", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: VendorCase | None = None) -> bool:
        return False


@admin.register(VendorCase)
class VendorCaseAdmin(ReadOnlyAdmin[VendorCase]):
    list_display = (
        "ticket",
        "vendor",
        "vendor_reference",
        "status",
        "opened_at",
        "next_update_due_at",
        "closed_at",
    )
    list_filter = ("status", "vendor")
    search_fields = ("vendor_reference", "ticket__number", "vendor__name")
    list_select_related = ("ticket", "vendor")
    inlines = [CaseUpdateInline]

from django.contrib import admin

from assets.models import Asset, MaintenanceRecord


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin[Asset]):
    list_display = ("tag", "kind", "vendor", "model", "os_version", "site", "owner", "warranty_end")
    list_filter = ("kind", "site")
    search_fields = ("tag", "model", "vendor")


@admin.register(MaintenanceRecord)
class MaintenanceRecordAdmin(admin.ModelAdmin[MaintenanceRecord]):
    """The history is written by resolved tickets; the admin corrects a line if need be."""

    list_display = ("asset", "date", "ticket", "parts")
    list_select_related = ("asset", "ticket")
    search_fields = ("asset__tag", "ticket__number", "parts")
    raw_id_fields = ("asset", "ticket")
    date_hierarchy = "date"

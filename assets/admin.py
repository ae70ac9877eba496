from django.contrib import admin

from assets.models import Asset


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin[Asset]):
    list_display = ("tag", "kind", "vendor", "model", "os_version", "site", "owner", "warranty_end")
    list_filter = ("kind", "site")
    search_fields = ("tag", "model", "vendor")

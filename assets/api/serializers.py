"""Shapes of the device API. Writes pass their text to ``assets.services``, which checks
it (so the API, the pages and the CSV import refuse the same things the same way)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Site, User
from assets.hooks import AssetTicket
from assets.models import Asset, AssetKind, MaintenanceRecord
from assets.validation import max_length


class AssetSerializer(serializers.ModelSerializer[Asset]):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    site_name = serializers.CharField(
        source="site.name", read_only=True, default=None, allow_null=True
    )
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    owner_name = serializers.CharField(
        source="owner.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "tag",
            "kind",
            "vendor",
            "model",
            "os_version",
            "site",
            "site_name",
            "owner",
            "owner_name",
            "warranty_end",
        ]
        read_only_fields = fields


class AssetTicketSerializer(serializers.Serializer[AssetTicket]):
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class MaintenanceSerializer(serializers.ModelSerializer[MaintenanceRecord]):
    ticket = serializers.CharField(source="ticket_number", read_only=True, allow_null=True)

    class Meta:
        model = MaintenanceRecord
        fields = ["id", "date", "ticket", "work_done", "parts", "created_at"]
        read_only_fields = fields


class AssetDetailSerializer(AssetSerializer):
    """One device with the tickets about it (those the caller may see) and its history."""

    tickets = serializers.SerializerMethodField()
    maintenance = serializers.SerializerMethodField()

    class Meta(AssetSerializer.Meta):
        fields = [*AssetSerializer.Meta.fields, "tickets", "maintenance"]
        read_only_fields = fields

    def get_tickets(self, asset: Asset) -> list[dict[str, Any]]:
        rows = self.context.get("tickets", [])
        return list(AssetTicketSerializer(rows, many=True).data)

    def get_maintenance(self, asset: Asset) -> list[dict[str, Any]]:
        rows = self.context.get("maintenance", [])
        return list(MaintenanceSerializer(rows, many=True).data)


def _text(name: str, help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=max_length(name) or None,
        help_text=help_text,
    )


class AssetWriteSerializer(serializers.Serializer[None]):
    """``tag`` and ``kind`` are required to create a device; a PATCH changes only the
    fields it names. ``site`` is a site code, ``owner`` a username (empty or null: none)."""

    tag = _text("tag", "The asset tag, unique (required to create).")
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=40,
        help_text="One of: " + ", ".join(AssetKind.values) + " (required to create).",
    )
    vendor = _text("vendor", "Vendor.")
    model = _text("model", "Model.")
    os_version = _text("os_version", "OS or firmware version.")
    site = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=32, help_text="Site code."
    )
    owner = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=150,
        help_text="The owner's username (empty for a shared device).",
    )
    warranty_end = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=10,
        help_text="YYYY-MM-DD, or empty.",
    )

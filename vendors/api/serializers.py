"""Shapes of the vendors API: vendors, and the cases a ticket opens with them."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from tickets.limits import max_length
from vendors.models import Vendor, VendorCase, VendorCaseUpdate


class VendorSerializer(serializers.ModelSerializer[Vendor]):
    class Meta:
        model = Vendor
        fields = [
            "id",
            "name",
            "contacts",
            "contract_reference",
            "warranty_reference",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class VendorWriteSerializer(serializers.Serializer[None]):
    """POST (``name`` required) and PATCH (any of them) bodies; the service cleans again."""

    name = serializers.CharField(max_length=max_length(Vendor, "name"))
    contacts = serializers.CharField(
        max_length=max_length(Vendor, "contacts"), required=False, allow_blank=True
    )
    contract_reference = serializers.CharField(
        max_length=max_length(Vendor, "contract_reference"), required=False, allow_blank=True
    )
    warranty_reference = serializers.CharField(
        max_length=max_length(Vendor, "warranty_reference"), required=False, allow_blank=True
    )
    is_active = serializers.BooleanField(required=False)


class CaseUpdateSerializer(serializers.ModelSerializer[VendorCaseUpdate]):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = VendorCaseUpdate
        fields = ["id", "body", "author", "created_at"]
        read_only_fields = fields


class VendorCaseSerializer(serializers.ModelSerializer[VendorCase]):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    opened_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    closed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    outcome = serializers.CharField(source="close_note", read_only=True)
    evidence = serializers.SerializerMethodField()
    updates = CaseUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = VendorCase
        fields = [
            "id",
            "vendor",
            "vendor_name",
            "vendor_reference",
            "summary",
            "status",
            "opened_at",
            "opened_by",
            "next_update_due_at",
            "last_update_at",
            "closed_at",
            "closed_by",
            "outcome",
            "evidence",
            "updates",
        ]
        read_only_fields = fields

    def get_evidence(self, case: VendorCase) -> list[int]:
        """The ids of the ticket's files sent to the vendor (``…/attachments/{id}/``)."""
        return [a.pk for a in case.evidence.all()]


class CaseOpenSerializer(serializers.Serializer[None]):
    vendor = serializers.IntegerField(min_value=1, help_text="An active vendor's id.")
    vendor_reference = serializers.CharField(
        max_length=max_length(VendorCase, "vendor_reference"),
        required=False,
        allow_blank=True,
        help_text="The vendor's case (or RMA) number.",
    )
    summary = serializers.CharField(
        max_length=max_length(VendorCase, "summary"), help_text="What was reported to the vendor."
    )
    evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=50,
        help_text="Ids of the ticket's attachments sent to the vendor.",
    )


class CaseCloseSerializer(serializers.Serializer[None]):
    outcome = serializers.CharField(
        max_length=max_length(VendorCase, "close_note"), required=False, allow_blank=True
    )


class CaseNoteSerializer(serializers.Serializer[None]):
    body = serializers.CharField(
        max_length=max_length(VendorCaseUpdate, "body"), help_text="What the vendor said."
    )
    share = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also send it to the requester as a public reply (their 2-hourly update).",
    )

"""API shapes. Every serializer treats state, requester, priority and timestamps as read-only;
writes go through ``tickets.services``."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from accounts.models import User
from tickets.choices import Impact, Priority, RootCauseType, Urgency
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Attachment, Category, Message, Ticket, TicketEvent


class LookupField(serializers.SlugRelatedField):
    """A slug/username lookup that answers 400, not 500, for text PostgreSQL cannot store."""

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["username", "name"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["slug", "name", "name_en", "label", "parent", "is_security"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer):
    """Read shape of a ticket; PATCH may change only ``title``…``contact`` (see services)."""

    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    reported_by = PersonSerializer(read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    site = serializers.StringRelatedField(read_only=True, allow_null=True)
    # Blank until the ticket is diagnosed (the schema must allow "").
    root_cause_type = serializers.ChoiceField(
        choices=RootCauseType.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Ticket
        fields = [
            "number",
            "title",
            "description",
            "channel",
            "requester",
            "reported_by",
            "contact",
            "site",
            "category",
            "affected_system",
            "occurred_at",
            "scenario",
            "impact",
            "urgency",
            "priority",
            "priority_reason",
            "state",
            "closed_as",
            "assignee",
            "waiting_on",
            "root_cause_type",
            "root_cause",
            "impact_scope",
            "solution_plan",
            "solution",
            "verification_note",
            "cancel_reason",
            "reopen_count",
            "submitted_at",
            "accepted_at",
            "diagnosed_at",
            "resolved_at",
            "verified_at",
            "closed_at",
            "last_activity_at",
            "response_due_at",
            "response_breached_at",
            "resolution_due_at",
            "resolution_breached_at",
            "sla_paused_at",
            "held_seconds",
        ]
        read_only_fields = fields


class TicketCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=max_length(Ticket, "title"))
    description = serializers.CharField(max_length=max_length(Ticket, "description"))
    category = LookupField(slug_field="slug", queryset=Category.objects.filter(is_active=True))
    impact = serializers.ChoiceField(choices=Impact.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    affected_system = serializers.CharField(
        max_length=max_length(Ticket, "affected_system"), required=False, allow_blank=True
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    scenario = serializers.CharField(
        max_length=max_length(Ticket, "scenario"), required=False, allow_blank=True
    )
    contact = serializers.CharField(
        max_length=max_length(Ticket, "contact"), required=False, allow_blank=True
    )
    requester = LookupField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="For engineers logging a call: the caller's username.",
    )


class TicketUpdateSerializer(serializers.Serializer):
    """PATCH body: descriptive fields only. Unknown or read-only fields are ignored."""

    title = serializers.CharField(max_length=max_length(Ticket, "title"), required=False)
    description = serializers.CharField(
        max_length=max_length(Ticket, "description"), required=False
    )
    affected_system = serializers.CharField(
        max_length=max_length(Ticket, "affected_system"), required=False, allow_blank=True
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    scenario = serializers.CharField(
        max_length=max_length(Ticket, "scenario"), required=False, allow_blank=True
    )
    contact = serializers.CharField(
        max_length=max_length(Ticket, "contact"), required=False, allow_blank=True
    )


class AcceptSerializer(serializers.Serializer):
    assignee = LookupField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )


class DiagnoseSerializer(serializers.Serializer):
    root_cause_type = serializers.ChoiceField(choices=RootCauseType.choices)
    root_cause = serializers.CharField(
        max_length=max_length(Ticket, "root_cause"), required=False, allow_blank=True
    )
    impact_scope = serializers.CharField(max_length=max_length(Ticket, "impact_scope"))
    solution_plan = serializers.CharField(max_length=max_length(Ticket, "solution_plan"))


class ResolveSerializer(serializers.Serializer):
    solution = serializers.CharField(max_length=max_length(Ticket, "solution"))


class VerifySerializer(serializers.Serializer):
    verification_note = serializers.CharField(
        max_length=max_length(Ticket, "verification_note"), required=False, allow_blank=True
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class EmptySerializer(serializers.Serializer):
    pass


class RequestInfoSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=max_length(Message, "body"))


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(max_length=max_length(Ticket, "priority_reason"))


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = PersonSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: Attachment) -> str:
        return reverse(
            "tickets:attachment", kwargs={"number": obj.ticket.number, "attachment_id": obj.pk}
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class MessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "author", "body", "created_at", "attachments"]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=max_length(Message, "body"))
    internal = serializers.BooleanField(default=False)


class EventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor", "at", "from_state", "to_state", "data"]
        read_only_fields = fields

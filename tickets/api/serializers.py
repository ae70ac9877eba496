"""API shapes. Every serializer treats state, requester, priority and timestamps as read-only;
writes go through ``tickets.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import Model, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

from accounts.models import Site, User
from tickets import hooks, permissions
from tickets.choices import EventKind, Impact, Priority, RootCauseType, Urgency
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Attachment, Category, Message, Ticket, TicketEvent

M = TypeVar("M", bound=Model)

# A request body: validated, then handed to a service; never bound to an instance or saved.
Body = serializers.Serializer[None]


class LookupField(serializers.SlugRelatedField[M]):
    """A slug/username lookup that answers 400, not 500, for text PostgreSQL cannot store."""

    def to_internal_value(self, data: object) -> M:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class OccurredAtField(serializers.DateTimeField):
    """A past moment the database can store: a time whose UTC value falls outside the
    calendar (``0001-01-01T00:00:00`` in Shanghai is in the year 0 in UTC) answers 400."""

    default_error_messages = {"out_of_range": _("Give a time between the year 2000 and now.")}

    def to_internal_value(self, value: dt.datetime | str) -> dt.datetime:
        try:
            parsed = super().to_internal_value(value)  # DRF's time-zone check can overflow
            parsed.astimezone(dt.UTC)
        except OverflowError:
            self.fail("out_of_range")
        return parsed


class PersonSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["username", "name"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer[Category]):
    # Declared fields leave the class (SerializerMetaclass pops them); the stub sees these
    # two names as Field's own ``parent`` and ``label`` attributes instead.
    parent: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", read_only=True, allow_null=True
    )
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Category
        fields = ["slug", "name", "name_en", "label", "parent", "is_security"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    """Read shape of a ticket; PATCH may change only ``title``…``contact`` (see services)."""

    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    reported_by = PersonSerializer(read_only=True, allow_null=True)
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    site: serializers.StringRelatedField[Site] = serializers.StringRelatedField(
        read_only=True, allow_null=True
    )
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


class AutoAssignmentSerializer(serializers.Serializer[None]):
    """Who automatic assignment (or the site's local-contact routing) gave the ticket to when
    it was filed, and why, as its timeline says; or why nobody (staff only)."""

    assigned_to = serializers.CharField(
        allow_null=True, help_text="The name the timeline gave; null: nobody could be chosen."
    )
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class TicketDetailSerializer(TicketSerializer):
    """One ticket: its list shape and ``auto_assignment`` (read-only; null when the ticket
    was not assigned automatically at filing)."""

    auto_assignment = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "auto_assignment"]
        read_only_fields = fields

    @extend_schema_field(AutoAssignmentSerializer(allow_null=True))
    def get_auto_assignment(self, ticket: Ticket) -> dict[str, Any] | None:
        # Only the filing writes an assignment without an actor (``submit_ticket``).
        entry = (
            TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED, actor__isnull=True)
            .order_by("at", "pk")
            .values("at", "data")
            .first()
        )
        at = serializers.DateTimeField()
        if entry is not None:
            data = entry["data"] or {}
            return {
                "assigned_to": str(data.get("to") or "") or None,
                "reason": str(data.get("reason") or ""),
                "at": at.to_representation(entry["at"]),
            }
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        note = hooks.assign_note_label(ticket)  # the queue's "why nobody": the desk's own
        if note and viewer is not None and permissions.can_view_internal(viewer):
            return {
                "assigned_to": None,
                "reason": note,
                "at": at.to_representation(ticket.submitted_at),
            }
        return None


class TicketCreateSerializer(Body):
    title = serializers.CharField(max_length=max_length(Ticket, "title"))
    description = serializers.CharField(max_length=max_length(Ticket, "description"))
    category = LookupField(slug_field="slug", queryset=Category.objects.filter(is_active=True))
    impact = serializers.ChoiceField(choices=Impact.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    affected_system = serializers.CharField(
        max_length=max_length(Ticket, "affected_system"), required=False, allow_blank=True
    )
    occurred_at = OccurredAtField(required=False, allow_null=True)
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


class TicketUpdateSerializer(Body):
    """PATCH body: descriptive fields only. Unknown or read-only fields are ignored."""

    title = serializers.CharField(max_length=max_length(Ticket, "title"), required=False)
    description = serializers.CharField(
        max_length=max_length(Ticket, "description"), required=False
    )
    affected_system = serializers.CharField(
        max_length=max_length(Ticket, "affected_system"), required=False, allow_blank=True
    )
    occurred_at = OccurredAtField(required=False, allow_null=True)
    scenario = serializers.CharField(
        max_length=max_length(Ticket, "scenario"), required=False, allow_blank=True
    )
    contact = serializers.CharField(
        max_length=max_length(Ticket, "contact"), required=False, allow_blank=True
    )


class AcceptSerializer(Body):
    assignee = LookupField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class AssigneeField(serializers.RelatedField[User, User, Any]):
    """A person by username or by id (a number, or digits in a string); whether they work
    the queue is the service's rule (``assign_ticket``), answered as 400 on ``assignee``."""

    default_error_messages = {"not_engineer": _("This person does not work the queue.")}

    def to_internal_value(self, data: object) -> User:
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("not_engineer")
        text = str(data).strip()
        if not text or "\x00" in text:
            self.fail("not_engineer")
        match = Q(username=text)
        if text.isascii() and text.isdigit() and len(text) < 16:
            match |= Q(pk=int(text))
        # A numeric username wins over the id it happens to equal.
        found = sorted(User.objects.filter(match), key=lambda u: u.username != text)
        if not found:
            self.fail("not_engineer")
        return found[0]

    def to_representation(self, value: User | PKOnlyObject) -> str:
        return str(value.pk)


class AssignSerializer(Body):
    assignee = AssigneeField(
        queryset=User.objects.all(),
        help_text="The engineer's username or id: an active person whose role works the queue.",
    )
    reason = serializers.CharField(max_length=TEXT_MAX)


class DiagnoseSerializer(Body):
    root_cause_type = serializers.ChoiceField(choices=RootCauseType.choices)
    root_cause = serializers.CharField(
        max_length=max_length(Ticket, "root_cause"), required=False, allow_blank=True
    )
    impact_scope = serializers.CharField(max_length=max_length(Ticket, "impact_scope"))
    solution_plan = serializers.CharField(max_length=max_length(Ticket, "solution_plan"))


class ResolveSerializer(Body):
    solution = serializers.CharField(max_length=max_length(Ticket, "solution"))


class VerifySerializer(Body):
    verification_note = serializers.CharField(
        max_length=max_length(Ticket, "verification_note"), required=False, allow_blank=True
    )


class ReasonSerializer(Body):
    reason = serializers.CharField(max_length=TEXT_MAX)


class EmptySerializer(Body):
    pass


class RequestInfoSerializer(Body):
    question = serializers.CharField(max_length=max_length(Message, "body"))


class PrioritySerializer(Body):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(max_length=max_length(Ticket, "priority_reason"))


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
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


class AttachmentUploadSerializer(Body):
    file = serializers.FileField()


class MessageSerializer(serializers.ModelSerializer[Message]):
    author = PersonSerializer(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "author", "body", "created_at", "attachments"]
        read_only_fields = fields


class MessageCreateSerializer(Body):
    body = serializers.CharField(max_length=max_length(Message, "body"))
    internal = serializers.BooleanField(default=False)


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    actor = PersonSerializer(read_only=True, allow_null=True)
    # The desk's kinds and those feature apps register (tickets.hooks): an open set.
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.SerializerMethodField()

    def get_kind_label(self, event: TicketEvent) -> str:
        return hooks.entry_label(event.kind)

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "kind_label", "actor", "at", "from_state", "to_state", "data"]
        read_only_fields = fields

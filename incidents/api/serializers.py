"""Shapes of the incidents API. Incidents are addressed by their ``MI-…`` number; people by
username; sites by id. Writes are plain bodies the services clean again."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from accounts.models import Site, User
from incidents import clocks
from incidents.choices import IncidentStatus, MemberRole
from incidents.models import IncidentMember, IncidentReport, MajorIncident, StatusNote
from incidents.services.linking import MAX_LINKED_AT_ONCE
from tickets.limits import max_length

Username = serializers.SlugRelatedField


def next_report_at(incident: MajorIncident) -> str | None:
    """When the next management report goes out (none once service is restored)."""
    if not clocks.is_reporting(incident):
        return None
    base = max(timezone.now(), clocks.previous_slot(incident))
    return clocks.slot_after(incident.declared_at, base).isoformat()


def seconds_between(start: Any, end: Any) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


class SiteSerializer(serializers.ModelSerializer[Site]):
    class Meta:
        model = Site
        fields = ["id", "name"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer[IncidentMember]):
    user: Username[User] = Username(slug_field="username", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = IncidentMember
        fields = ["user", "name", "role", "joined_at"]
        read_only_fields = fields


class IncidentListSerializer(serializers.ModelSerializer[MajorIncident]):
    """A row of the list: who commands it, how it goes, how many tickets hang on it."""

    commander: Username[User] = Username(slug_field="username", read_only=True)
    linked_tickets = serializers.IntegerField(source="linked_count", read_only=True)
    next_report_at = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField(help_text="The live page.")

    class Meta:
        model = MajorIncident
        fields = [
            "number",
            "title",
            "status",
            "commander",
            "declared_at",
            "task_force_due_at",
            "task_force_formed_at",
            "restored_at",
            "resolved_at",
            "next_report_at",
            "linked_tickets",
            "link",
        ]
        read_only_fields = fields

    def get_next_report_at(self, obj: MajorIncident) -> str | None:
        return next_report_at(obj)

    def get_link(self, obj: MajorIncident) -> str:
        path = reverse("incidents:live", kwargs={"number": obj.number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class IncidentSerializer(IncidentListSerializer):
    """The whole incident: its details, the task force, the restoration, the times."""

    declared_by: Username[User] = Username(slug_field="username", read_only=True)
    source_ticket = serializers.CharField(
        source="source_ticket.number", read_only=True, allow_null=True, default=None
    )
    sites = SiteSerializer(many=True, read_only=True)
    stakeholders: Username[User] = Username(slug_field="username", many=True, read_only=True)
    members = MemberSerializer(many=True, read_only=True)
    time_to_restore_seconds = serializers.SerializerMethodField()
    time_to_resolve_seconds = serializers.SerializerMethodField()

    class Meta(IncidentListSerializer.Meta):
        fields = [
            *IncidentListSerializer.Meta.fields,
            "impact",
            "affected_services",
            "sites",
            "stakeholders",
            "declared_by",
            "source_ticket",
            "members",
            "restoration",
            "reviewed_at",
            "time_to_restore_seconds",
            "time_to_resolve_seconds",
        ]
        read_only_fields = fields

    def get_time_to_restore_seconds(self, obj: MajorIncident) -> int | None:
        return seconds_between(obj.declared_at, obj.restored_at)

    def get_time_to_resolve_seconds(self, obj: MajorIncident) -> int | None:
        return seconds_between(obj.declared_at, obj.resolved_at)


class ReportSerializer(serializers.ModelSerializer[IncidentReport]):
    """One management report as sent. ``late``: sent after its slot (``missed`` slots went
    unreported before it, from ``due_at`` on); ``no_new_status``: nobody wrote a status
    note since the previous report."""

    late = serializers.BooleanField(source="is_late", read_only=True)
    due_at = serializers.SerializerMethodField()
    missed = serializers.SerializerMethodField()

    class Meta:
        model = IncidentReport
        fields = [
            "slot",
            "sent_at",
            "status",
            "impact",
            "done_since_last",
            "next_steps",
            "no_new_status",
            "late",
            "due_at",
            "missed",
            "next_report_at",
        ]
        read_only_fields = fields

    def get_due_at(self, obj: IncidentReport) -> str:
        return str(self.context["due"][obj.pk][0].isoformat())

    def get_missed(self, obj: IncidentReport) -> int:
        return int(self.context["due"][obj.pk][1])


class NoteSerializer(serializers.ModelSerializer[StatusNote]):
    author: Username[User] = Username(slug_field="username", read_only=True)
    note = serializers.CharField(source="body", read_only=True)

    class Meta:
        model = StatusNote
        fields = ["id", "status", "note", "next_steps", "author", "created_at"]
        read_only_fields = fields


# --- bodies ---------------------------------------------------------------------------------


class _Fields(serializers.Serializer[None]):
    title = serializers.CharField(max_length=max_length(MajorIncident, "title"))
    impact = serializers.CharField(max_length=max_length(MajorIncident, "impact"))
    affected_services = serializers.CharField(
        max_length=max_length(MajorIncident, "affected_services"),
        required=False,
        allow_blank=True,
    )
    sites = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=200
    )
    stakeholders = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, max_length=200
    )


class DeclareSerializer(_Fields):
    """``title`` and ``impact`` required; ``ticket`` the number declared from; ``commander``
    a tech lead's username (required when an engineer declares)."""

    ticket = serializers.CharField(max_length=32, required=False)
    commander = serializers.CharField(max_length=150, required=False)


class PatchSerializer(_Fields):
    pass


class MemberWriteSerializer(serializers.Serializer[None]):
    user = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=MemberRole.choices)


class StatusWriteSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    note = serializers.CharField(max_length=max_length(StatusNote, "body"))
    next_steps = serializers.CharField(
        max_length=max_length(StatusNote, "next_steps"), required=False, allow_blank=True
    )


class RestoreSerializer(serializers.Serializer[None]):
    restoration = serializers.CharField(max_length=max_length(MajorIncident, "restoration"))


class LinkSerializer(serializers.Serializer[None]):
    tickets = serializers.ListField(
        child=serializers.CharField(max_length=32),
        allow_empty=False,
        max_length=MAX_LINKED_AT_ONCE,
    )


class LinkResultSerializer(serializers.Serializer[None]):
    linked = serializers.ListField(child=serializers.CharField(), help_text="Newly linked.")
    linked_tickets = serializers.IntegerField(help_text="Tickets linked to the incident now.")

"""Major incidents in the admin, read-only: an incident changes only through its services
(the clocks, the reports and the notices go with every change)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from incidents.models import (
    IncidentMember,
    IncidentReport,
    MajorIncident,
    StatusNote,
)
from tickets.admin import ReadOnlyAdmin


class _ReadOnlyInline(admin.TabularInline[Any, MajorIncident]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(_ReadOnlyInline):
    model = IncidentMember
    fields = ("user", "role", "joined_at")
    readonly_fields = fields


class NoteInline(_ReadOnlyInline):
    model = StatusNote
    fields = ("created_at", "author", "status", "body", "next_steps")
    readonly_fields = fields


class ReportInline(_ReadOnlyInline):
    model = IncidentReport
    fields = ("slot", "sent_at", "status", "no_new_status", "is_late", "next_report_at")
    readonly_fields = fields


@admin.register(MajorIncident)
class MajorIncidentAdmin(ReadOnlyAdmin[MajorIncident]):
    list_display = (
        "number",
        "title",
        "status",
        "commander",
        "declared_at",
        "task_force_formed_at",
        "restored_at",
        "resolved_at",
    )
    list_filter = ("status",)
    search_fields = ("number", "title")
    list_select_related = ("commander",)
    date_hierarchy = "declared_at"
    inlines = [MemberInline, NoteInline, ReportInline]

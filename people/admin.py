"""The people app in the admin: each site's own automatic-assignment mode (the override of
``TICKETS_AUTO_ASSIGN``), and engineers' skills and profiles for admins (tech leads use the
skills matrix at ``/people/skills/``). The open loads are the trigger's: read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from people.models import EngineerLoad, EngineerProfile, SiteAssignment, Skill
from tickets.admin import ReadOnlyAdmin


@admin.register(SiteAssignment)
class SiteAssignmentAdmin(admin.ModelAdmin[SiteAssignment]):
    list_display = ("site", "mode")
    list_filter = ("mode",)
    list_select_related = ("site",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin[Skill]):
    list_display = ("engineer", "category", "level", "source", "updated_at")
    list_filter = ("level", "category")
    search_fields = ("engineer__username", "engineer__display_name", "source")
    list_select_related = ("engineer", "category")
    raw_id_fields = ("engineer", "updated_by")
    readonly_fields = ("updated_by",)

    def save_model(self, request: HttpRequest, obj: Skill, form: Any, change: bool) -> None:
        """As the skills matrix does: say who set a level (``grant`` says which training)."""
        if isinstance(request.user, User) and (not change or "level" in form.changed_data):
            obj.updated_by = request.user
            obj.source = _("set by %(name)s") % {"name": request.user.name}
        super().save_model(request, obj, form, change)


@admin.register(EngineerProfile)
class EngineerProfileAdmin(admin.ModelAdmin[EngineerProfile]):
    list_display = ("user", "calendar", "auto_assign", "last_assigned_at")
    list_filter = ("auto_assign", "calendar")
    search_fields = ("user__username", "user__display_name")
    list_select_related = ("user", "calendar")
    filter_horizontal = ("sites",)
    raw_id_fields = ("user",)
    readonly_fields = ("last_assigned_at",)


@admin.register(EngineerLoad)
class EngineerLoadAdmin(ReadOnlyAdmin[EngineerLoad]):
    list_display = ("engineer", "open_tickets", "weighted")
    search_fields = ("engineer__username",)
    list_select_related = ("engineer",)

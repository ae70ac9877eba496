from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.models import Department, Site, User

# The admin signs people in through django-axes too: an over-long username is a form error.
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Service desk"),
            {
                "fields": (
                    "display_name",
                    "employee_id",
                    "phone",
                    "site",
                    "limited_to_sites",
                    "department",
                    "language",
                    "wecom_id",
                    "dingtalk_id",
                    "feishu_id",
                    "slack_id",
                )
            },
        ),
    )
    list_display = (
        "username",
        "display_name",
        "employee_id",
        "email",
        "site",
        "department",
        "is_active",
    )
    list_filter = ("groups", "site", "is_active")
    search_fields = ("username", "display_name", "employee_id", "email", "phone")
    # R7.2: staff limited to some sites see only those sites' tickets (none chosen: every site).
    filter_horizontal = ("groups", "user_permissions", "limited_to_sites")

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        if db_field.name == "limited_to_sites":
            kwargs["help_text"] = _(
                "Leave empty for every site. With sites chosen, this person sees only those "
                "sites' tickets (queue, search, ticket pages, API) and hears only of them. "
                "Superusers are never limited."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ("code", "name", "city", "time_zone")
    search_fields = ("code", "name", "city")
    # R7.2: the people who serve the site on the spot; its tickets and visits go to them.
    autocomplete_fields = ("local_contacts",)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        if db_field.name == "local_contacts":
            kwargs["help_text"] = _(
                "Engineers who serve this site on the spot: they are told of every ticket "
                "filed here, listed first when a ticket is dispatched, and given the on-site "
                "visits here."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "site")

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
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
                    "phone",
                    "site",
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
    list_display = ("username", "display_name", "email", "site", "department", "is_active")
    list_filter = ("groups", "site", "is_active")
    search_fields = ("username", "display_name", "email", "phone")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ("code", "name", "city", "time_zone")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "site")

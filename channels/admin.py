"""The group robots in the admin: their webhook and signing secret (never shown back in
full: the list shows the webhook's host, the form the saved webhook masked and no secret,
and an empty input keeps what was saved), site and kinds; a "send a test message" action;
their posts, read-only, to see what failed."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channels import http, robots
from channels.models import Robot, RobotPost
from channels.secrets import masked_url
from channels.transports import message
from notifications import kinds


def _kind_choices() -> list[tuple[str, str]]:
    return [(str(m.value), str(m.label)) for m in kinds.registered()]


class RobotForm(forms.ModelForm[Robot]):
    webhook_url = forms.URLField(
        label=_("webhook URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The robot's address from the group's settings (it carries its key)."),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "DingTalk and Feishu robots with signing on. Leave empty to keep the secret "
            "already saved."
        ),
    )
    clear_secret = forms.BooleanField(label=_("remove the signing secret"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("notification kinds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=_kind_choices,
        help_text=_("The news this robot posts to its group."),
    )

    class Meta:
        model = Robot
        fields = ("provider", "name", "webhook_url", "secret", "site", "kinds", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved_url = self.instance.webhook_url if self.instance.pk else ""
        if self.saved_url:
            # The saved URL carries the robot's key: shown masked, never sent back to the page.
            field = self.fields["webhook_url"]
            field.required = False
            field.widget.attrs.update(
                {"placeholder": masked_url(self.saved_url), "autocomplete": "off"}
            )
            field.help_text = _(
                "Saved: %(url)s. Leave empty to keep it; paste a new address to replace it."
            ) % {"url": masked_url(self.saved_url)}
            self.initial["webhook_url"] = ""

    def clean_webhook_url(self) -> str:
        url = str(self.cleaned_data["webhook_url"] or "").strip()
        if not url and self.saved_url:
            return self.saved_url
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        allowed = {h.lower() for h in settings.CHANNELS_ALLOWED_HOSTS}
        if host not in allowed:
            if parts.scheme != "https":
                raise forms.ValidationError(gettext("Use an https:// address."))
            try:
                literal = ipaddress.ip_address(host)
            except ValueError:
                literal = None
            if literal is not None and not http.is_public(str(literal)):
                raise forms.ValidationError(
                    gettext("This address is on a private or local network.")
                )
        return url

    def save(self, commit: bool = True) -> Robot:
        robot = super().save(commit=False)
        if self.cleaned_data.get("clear_secret"):
            robot.secret = ""
        elif not self.cleaned_data.get("secret") and self.instance.pk:
            robot.secret = (
                Robot.objects.filter(pk=self.instance.pk).values_list("secret", flat=True).first()
                or ""
            )
        if commit:
            robot.save()
        return robot


@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin[Robot]):
    form = RobotForm
    list_display = ("name", "provider", "site", "webhook_host", "kind_count", "signed", "is_active")
    list_filter = ("provider", "is_active", "site")
    search_fields = ("name",)
    actions = ("send_test_message",)

    @admin.display(description=_("webhook host"))
    def webhook_host(self, robot: Robot) -> str:
        # The URL carries the robot's key or token: only its host is listed.
        return urlsplit(robot.webhook_url).hostname or ""

    @admin.display(description=_("kinds"))
    def kind_count(self, robot: Robot) -> int:
        return len(robot.kinds)

    @admin.display(description=_("signed"), boolean=True)
    def signed(self, robot: Robot) -> bool:
        return bool(robot.secret)

    @admin.action(description=_("Send a test message"))
    def send_test_message(self, request: HttpRequest, queryset: QuerySet[Robot]) -> None:
        for robot in queryset:
            test = message.Message(
                title=gettext("Test message"),
                headline=gettext("The IT service desk will post here."),
                url=message.absolute("/"),
                link_text=gettext("Open the service desk"),
            )
            try:
                robots.sender(robot.provider).post(
                    robot.webhook_url, robot.secret, test, target=f"robot:{robot.pk}"
                )
            except Exception as exc:
                self.message_user(
                    request,
                    gettext("%(robot)s: not sent (%(error)s).") % {"robot": robot, "error": exc},
                    messages.ERROR,
                )
            else:
                self.message_user(request, gettext("%(robot)s: sent.") % {"robot": robot})


@admin.register(RobotPost)
class RobotPostAdmin(admin.ModelAdmin[RobotPost]):
    list_display = ("kind", "robot", "created_at", "sent_at", "attempts", "last_error")
    list_filter = ("robot", "kind")
    list_select_related = ("robot",)
    readonly_fields = (
        "robot",
        "kind",
        "link",
        "payload",
        "dedupe_key",
        "created_at",
        "claimed_at",
        "sent_at",
        "attempts",
        "last_error",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from __future__ import annotations

from django.utils import translation
from rest_framework import serializers

from notifications import kinds
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    """One in-app notification: what it is about, a short text in the caller's language,
    and the link to open."""

    number = serializers.SerializerMethodField(help_text="The ticket (or other) number, if any.")
    text = serializers.SerializerMethodField(help_text="A short text in the caller's language.")
    link = serializers.SerializerMethodField(help_text="The page to open.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "created_at", "read_at", "number", "text", "link"]
        read_only_fields = fields

    def get_number(self, obj: Notification) -> str | None:
        return obj.number or None

    def get_text(self, obj: Notification) -> str:
        # The caller's saved language wins over the request's (a token carries no cookie).
        request = self.context.get("request")
        saved = getattr(getattr(request, "user", None), "language", "")
        language = saved or translation.get_language()
        with translation.override(language):
            label = kinds.label(obj.kind)
        parts = [label, obj.number, str(obj.payload.get("title", ""))]
        return " ".join(p for p in parts if p)

    def get_link(self, obj: Notification) -> str:
        request = self.context.get("request")
        path = obj.link or "/"
        return request.build_absolute_uri(path) if request is not None else path

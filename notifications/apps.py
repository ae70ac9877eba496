from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Registers the digest closer's task (it lives beside the digests, see there).
        from notifications import digests  # noqa: F401  (a task module of its own)

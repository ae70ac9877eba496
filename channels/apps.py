from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        """Plug the outbound side into the lower layers' hooks: a transport per IM channel
        in the outbox, the group robots' save hook, and which ticket news reach staff on
        their IMs by default (engineers: assignments, SLA warnings and breaches …)."""
        # Imported once the apps are loaded: the transports and robots use models.
        from django.db.models.signals import post_delete, post_save

        from channels import robots
        from channels.dingtalk import transport as dingtalk
        from channels.feishu import transport as feishu
        from channels.models import Robot
        from channels.slack import transport as slack
        from channels.wecom import transport as wecom
        from notifications import outbox, preferences, transports
        from notifications.choices import NotificationChannel
        from tickets.choices import TicketNotice

        transports.register(NotificationChannel.WECOM, wecom)
        transports.register(NotificationChannel.DINGTALK, dingtalk)
        transports.register(NotificationChannel.FEISHU, feishu)
        transports.register(NotificationChannel.SLACK, slack)
        outbox.on_save(robots.on_notifications)
        post_save.connect(robots.robot_saved, sender=Robot, dispatch_uid="channels.robot_saved")
        post_delete.connect(robots.robot_saved, sender=Robot, dispatch_uid="channels.robot_deleted")
        preferences.im_by_default_for_staff(
            TicketNotice.SUBMITTED,
            TicketNotice.ASSIGNED,
            TicketNotice.INFO_PROVIDED,
            TicketNotice.FIX_REJECTED,
            TicketNotice.REOPENED,
            TicketNotice.SITE_TICKET,
            TicketNotice.RESPONSE_WARNING,
            TicketNotice.RESPONSE_BREACH,
            TicketNotice.RESOLUTION_WARNING,
            TicketNotice.RESOLUTION_BREACH,
        )

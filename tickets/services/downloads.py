"""Files leaving a site (R7.2): a download from outside the ticket's site is on its timeline."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Site, User
from tickets.choices import EventKind
from tickets.models import Attachment, TicketEvent
from tickets.services import base


def is_of_site(user: User, site_id: int | None) -> bool:
    """Whether ``user`` belongs to the site: based there, or one of its local IT contacts.
    A ticket without a site is nobody's site in particular, so every reader belongs."""
    if site_id is None or user.site_id == site_id:
        return True
    return Site.local_contacts.through.objects.filter(site_id=site_id, user_id=user.pk).exists()


def record_download(attachment: Attachment, *, actor: User) -> TicketEvent | None:
    """Log, as an internal timeline entry, one download of ``attachment`` by someone outside
    its ticket's site; nothing for the site's own people. The caller has checked that
    ``actor`` may read the file (``selectors.get_attachment_for``): this only records.

    One entry per download, whoever repeats it: the timeline says how often a file left
    the site, not only that it did. No lock: the entry is appended, nothing else changes
    (a download is not activity on the ticket, so ``last_activity_at`` stays).
    """
    ticket = attachment.ticket
    if is_of_site(actor, ticket.site_id):
        return None
    sites = dict(
        Site.objects.filter(pk__in=[ticket.site_id, actor.site_id]).values_list("pk", "name")
    )
    return base.record(
        ticket,
        EventKind.ATTACHMENT_DOWNLOADED,
        actor=actor,
        now=timezone.now(),
        data={
            "files": [attachment.original_name],
            "attachment": attachment.pk,
            "ticket_site": sites.get(ticket.site_id or 0, ""),
            "downloader_site": sites.get(actor.site_id, "") if actor.site_id else "",
        },
        is_internal=True,
    )

"""Enumerations of the ticket domain and named groups of their values."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sla.choices import Priority as Priority  # tickets have a priority: re-exported


class TicketState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DIAGNOSED = "diagnosed", _("Diagnosed")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    IM = "im", _("Instant messaging")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    API = "api", _("API")


class Impact(models.TextChoices):
    SINGLE = "single", _("Single device or user")
    MULTIPLE = "multiple", _("Several devices or users")
    NETWORK = "network", _("Whole network or company")


class Urgency(models.TextChoices):
    INTERRUPTED = "interrupted", _("Business interrupted")
    ABNORMAL = "abnormal", _("Function abnormal")
    EXPERIENCE = "experience", _("Experience issue")


class WaitingOn(models.TextChoices):
    NONE = "none", _("Nobody")
    REQUESTER = "requester", _("Requester")
    VENDOR = "vendor", _("Vendor")


class RootCauseType(models.TextChoices):
    HARDWARE = "hardware", _("Hardware fault")
    SOFTWARE = "software", _("Software bug")
    NETWORK = "network", _("Network configuration")
    CONFIGURATION = "configuration", _("System configuration")
    PERMISSION = "permission", _("Permissions")
    SECURITY = "security", _("Security incident")
    OTHER = "other", _("Other")


class ClosedAs(models.TextChoices):
    NONE = "", _("Open")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    DUPLICATE = "duplicate", _("Duplicate")


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    FOLLOW_UP = "follow_up", _("Follow-up of")


class MessageKind(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Ticket submitted")
    ACCEPTED = "accepted", _("Accepted")
    DIAGNOSED = "diagnosed", _("Diagnosed")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Fix verified")
    FIX_REJECTED = "fix_rejected", _("Fix rejected")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REPLIED = "replied", _("Public reply")
    NOTE_ADDED = "note_added", _("Internal note")
    INFO_REQUESTED = "info_requested", _("Information requested")
    INFO_PROVIDED = "info_provided", _("Information provided")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    ASSIGNED = "assigned", _("Assigned")
    DETAILS_EDITED = "details_edited", _("Details edited")
    SLA_STARTED = "sla_started", _("SLA clocks started")
    SLA_PAUSED = "sla_paused", _("Resolution clock paused")
    SLA_RESUMED = "sla_resumed", _("Resolution clock resumed")
    SLA_RECALCULATED = "sla_recalculated", _("SLA deadlines recalculated")
    SLA_BREACHED = "sla_breached", _("SLA deadline missed")
    SLA_ESCALATED = "sla_escalated", _("Escalated: not accepted in time")
    REOPENED = "reopened", _("Reopened")
    LINKED = "linked", _("Related ticket linked")
    UNLINKED = "unlinked", _("Related ticket unlinked")
    MERGED_INTO = "merged_into", _("Closed as duplicate")
    MERGED_FROM = "merged_from", _("Duplicate merged in")
    WATCHER_ADDED = "watcher_added", _("Follower added")
    WATCHER_REMOVED = "watcher_removed", _("Follower removed")
    # Internal: a file of the ticket downloaded by someone outside the ticket's site (R7.2).
    ATTACHMENT_DOWNLOADED = "attachment_downloaded", _("File downloaded from another site")


OPEN_STATES = frozenset(
    {
        TicketState.SUBMITTED,
        TicketState.ACCEPTED,
        TicketState.DIAGNOSED,
        TicketState.RESOLVED,
    }
)
TERMINAL_STATES = frozenset({TicketState.VERIFIED, TicketState.CLOSED})
WORK_STATES = frozenset({TicketState.ACCEPTED, TicketState.DIAGNOSED})
# Event kinds that a requester never sees.
INTERNAL_EVENT_KINDS = frozenset({EventKind.NOTE_ADDED, EventKind.ATTACHMENT_DOWNLOADED})
# Events that explain the SLA clocks (shown in the SLA explanation, not the timeline).
SLA_EVENT_KINDS = frozenset(
    {
        EventKind.SLA_STARTED,
        EventKind.SLA_PAUSED,
        EventKind.SLA_RESUMED,
        EventKind.SLA_RECALCULATED,
        EventKind.SLA_BREACHED,
        EventKind.SLA_ESCALATED,
    }
)
STATE_STEPS = [
    TicketState.SUBMITTED,
    TicketState.ACCEPTED,
    TicketState.DIAGNOSED,
    TicketState.RESOLVED,
    TicketState.VERIFIED,
    TicketState.CLOSED,
]


class TicketNotice(models.TextChoices):
    """What people are told about tickets (notification kinds, registered with the outbox)."""

    SUBMITTED = "ticket_submitted", _("New high-priority ticket")
    ACCEPTED = "ticket_accepted", _("Your ticket was accepted")
    INFO_REQUESTED = "info_requested", _("The engineer needs more information")
    REPLY = "reply", _("New reply")
    INFO_PROVIDED = "info_provided", _("The requester answered")
    RESOLVED = "ticket_resolved", _("Please verify the fix")
    FIX_REJECTED = "fix_rejected", _("The fix did not work")
    ASSIGNED = "ticket_assigned", _("A ticket was assigned to you")
    RESPONSE_WARNING = "response_warning", _("Response due soon")
    RESPONSE_BREACH = "response_breach", _("Response overdue")
    RESOLUTION_WARNING = "resolution_warning", _("Resolution due soon")
    RESOLUTION_BREACH = "resolution_breach", _("Resolution overdue")
    # Followers (CC) hear the public side of a ticket, in words meant for them.
    FOLLOWING = "following", _("You were added as a follower")
    FOLLOWED_ACCEPTED = "followed_accepted", _("A ticket you follow was accepted")
    FOLLOWED_RESOLVED = "followed_resolved", _("A ticket you follow was resolved")
    FOLLOWED_UPDATE = "followed_update", _("A ticket you follow was updated")
    MERGED = "ticket_merged", _("A duplicate ticket was merged into yours")
    DUPLICATE = "ticket_duplicate", _("Your ticket was closed as a duplicate")
    REOPENED = "ticket_reopened", _("A ticket you handled was reopened")
    # The local IT contacts of the site a ticket was filed at (R7.2).
    SITE_TICKET = "site_ticket", _("New ticket at a site you serve")
    # The escalation ladder of a high-priority ticket nobody accepted (tickets/escalation.py).
    ESCALATION_TECH_LEAD = (
        "escalation_tech_lead",
        _("Urgent: a high-priority ticket is still not accepted"),
    )
    ESCALATION_MANAGER = (
        "escalation_manager",
        _("Escalation: a high-priority ticket has not been accepted for an hour"),
    )

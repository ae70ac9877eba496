"""Permission-scoped reads of vendors and vendor cases.

Every list runs a fixed number of queries whatever its length: cases come with their
vendor and people joined, and their updates and evidence prefetched.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import AnyUser
from tickets.models import Attachment, Ticket
from vendors import permissions
from vendors.choices import CaseStatus
from vendors.models import Vendor, VendorCase, VendorCaseUpdate


def vendors_for(user: AnyUser) -> QuerySet[Vendor]:
    """The vendor list (active ones first, by name), for whoever may read it."""
    if not permissions.can_read_vendors(user):
        return Vendor.objects.none()
    return Vendor.objects.order_by("-is_active", "name", "pk")


def active_vendors() -> QuerySet[Vendor]:
    """The vendors a new case may be opened with."""
    return Vendor.objects.filter(is_active=True).order_by("name", "pk")


def cases_of(ticket: Ticket) -> QuerySet[VendorCase]:
    """A ticket's cases, oldest first, with everything a list shows (4 queries in all)."""
    return (
        VendorCase.objects.filter(ticket_id=ticket.pk)
        .select_related("vendor", "opened_by", "closed_by")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=VendorCaseUpdate.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch("evidence", queryset=Attachment.objects.order_by("created_at", "pk")),
        )
        .order_by("opened_at", "pk")
    )


def cases_for(user: AnyUser, ticket: Ticket) -> QuerySet[VendorCase]:
    """The ticket's cases for a reader of internal notes; nothing for anyone else."""
    if not permissions.can_read_cases(user):
        return VendorCase.objects.none()
    return cases_of(ticket)


def open_case_of(ticket: Ticket) -> VendorCase | None:
    """The ticket's open case (at most one is open at a time), with its vendor."""
    return (
        VendorCase.objects.filter(ticket_id=ticket.pk, status=CaseStatus.OPEN)
        .select_related("vendor")
        .order_by("opened_at", "pk")
        .first()
    )

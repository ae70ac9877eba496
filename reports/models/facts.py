"""The per-ticket rollup the reports read: one narrow row per ticket.

An exact copy of the ticket columns the reports need, not a cache: a PostgreSQL trigger on
``tickets_ticket`` (``AFTER INSERT OR UPDATE``, migration ``reports.0002``) upserts the row
in the same statement, and so in the same transaction, as whatever wrote the ticket — a
service's ``save()``, ``QuerySet.update()``, ``bulk_create()`` or raw SQL — so it can never
be stale, and a rolled-back change rolls back here too. Deleting a ticket deletes its row
(``ON DELETE CASCADE``). Nothing in Python writes this table.

The row is narrow (no text) so a month of a million-ticket desk is a short index range of
small rows, and its indexes serve the period scans of the reports (``reports.engine``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

__all__ = ["TicketFact"]


class TicketFact(models.Model):
    """What the reports know of one ticket. ``finished_at`` is when it left the backlog
    (verified, or closed without verification: cancelled, merged); ``on_hold`` says the
    resolution clock is paused (waiting on the requester, a vendor, or a verification);
    ``*_minutes`` are the ticket's working minutes, ``*_wall_minutes`` the elapsed ones."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the database cascades (migration reports.0002)
        db_constraint=False,
        related_name="fact",
    )
    submitted_at = models.DateTimeField()
    priority = models.CharField(max_length=8)
    category_id = models.BigIntegerField()
    site_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=16)
    assignee_id = models.BigIntegerField(null=True)
    state = models.CharField(max_length=16)
    closed_as = models.CharField(max_length=16, blank=True)
    response_due_at = models.DateTimeField(null=True)
    accepted_at = models.DateTimeField(null=True)
    resolution_due_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    on_hold = models.BooleanField(default=False)
    response_minutes = models.IntegerField(null=True)
    resolution_minutes = models.IntegerField(null=True)
    # Wall-clock minutes from the timestamps (submission to acceptance, to the last
    # resolution), worked out once here rather than on every row of every report.
    response_wall_minutes = models.FloatField(null=True)
    resolution_wall_minutes = models.FloatField(null=True)
    reopen_count = models.SmallIntegerField(default=0)

    class Meta:
        verbose_name = "ticket fact"
        indexes = [
            # A period of submissions: every report starts here.
            models.Index(fields=["submitted_at"], name="reports_fact_submitted"),
            models.Index(fields=["priority", "submitted_at"], name="reports_fact_priority"),
            models.Index(fields=["site_id", "submitted_at"], name="reports_fact_site"),
            # The backlog: tickets that left it since a day, and those still in it.
            models.Index(fields=["finished_at"], name="reports_fact_finished"),
            models.Index(
                fields=["submitted_at"],
                name="reports_fact_open",
                condition=Q(finished_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.ticket_id}"

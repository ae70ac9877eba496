"""Business calendars and SLA policies: the data the deadline rules run on.

These models were born in the ``tickets`` app and moved here without moving
data: each keeps its ``tickets_*`` table (``db_table``) and constraint names,
and migration ``sla.0001`` only changes Django's idea of which app owns them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.lib.business_hours import CalendarError, parse_hours
from sla.choices import CalendarDayKind, Priority, RetriageRule

WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def default_weekly_hours() -> list[list[str]]:
    return [["09:00-18:00"]] * 5 + [[], []]


class BusinessCalendar(models.Model):
    """Working hours per weekday in a time zone, plus dated exceptions (``CalendarDay``).

    ``weekly_hours`` holds seven lists (Monday first) of ``"HH:MM-HH:MM"``;
    several intervals in a day model a lunch break. ``covered_through`` is the
    last year whose holidays are known; later dates follow the weekly pattern
    and the admin flags them.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    weekly_hours = models.JSONField(_("weekly working hours"), default=default_weekly_hours)
    is_default = models.BooleanField(_("default calendar"), default=False)
    covered_through = models.PositiveSmallIntegerField(
        _("holidays known through (year)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tickets_businesscalendar"
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="tickets_businesscalendar_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
        hours = self.weekly_hours
        if not isinstance(hours, list) or len(hours) != 7:
            raise ValidationError({"weekly_hours": _("Give seven lists, Monday first.")})
        try:
            for day in hours:
                parse_hours(day)
        except (CalendarError, TypeError, AttributeError) as exc:
            raise ValidationError({"weekly_hours": str(exc)}) from None

    def is_covered(self, day: dt.date) -> bool:
        return self.covered_through is not None and day.year <= self.covered_through


class CalendarDay(models.Model):
    """One date that overrides the weekly pattern: a holiday, or a worked weekend day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    hours = models.JSONField(
        _("working hours"),
        default=list,
        blank=True,
        help_text=_("Only for adjusted working days; empty means the calendar's usual hours."),
    )

    class Meta:
        db_table = "tickets_calendarday"
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="tickets_calendarday_unique_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        try:
            parse_hours(self.hours or [])
        except (CalendarError, TypeError, AttributeError) as exc:
            raise ValidationError({"hours": str(exc)}) from None


class SiteCalendar(models.Model):
    """A site that keeps its own calendar (else the default calendar applies)."""

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.CASCADE, related_name="calendar_link"
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="sites")

    class Meta:
        db_table = "tickets_sitecalendar"
        verbose_name = _("site calendar")
        verbose_name_plural = _("site calendars")

    def __str__(self) -> str:
        return f"{self.site} → {self.calendar}"


class SlaPolicy(models.Model):
    """Response and resolution budgets for one priority; 24x7 clocks ignore the calendar."""

    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, unique=True)
    respond_minutes = models.PositiveIntegerField(_("respond within (minutes)"))
    respond_24x7 = models.BooleanField(_("response clock runs 24x7"), default=False)
    resolve_minutes = models.PositiveIntegerField(_("resolve within (minutes)"))
    resolve_24x7 = models.BooleanField(_("resolution clock runs 24x7"), default=False)
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the budget)"), default=80
    )
    retriage_rule = models.CharField(
        _("when a ticket is moved to this priority"),
        max_length=16,
        choices=RetriageRule.choices,
        default=RetriageRule.RESTART,
    )

    class Meta:
        db_table = "tickets_slapolicy"
        ordering = ["priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.respond_minutes} / {self.resolve_minutes} min"

    def clean(self) -> None:
        if not 1 <= self.warn_percent <= 99:
            raise ValidationError({"warn_percent": _("Between 1 and 99.")})
        if not self.respond_minutes or not self.resolve_minutes:
            raise ValidationError(_("Budgets must be at least one minute."))


def policy_defaults() -> list[dict[str, Any]]:
    """DESIGN.md's defaults; the seeding migration and tests use the same numbers."""
    return [
        {
            "priority": Priority.HIGH,
            "respond_minutes": 15,
            "respond_24x7": True,
            "resolve_minutes": 240,
            "resolve_24x7": True,
        },
        {
            "priority": Priority.MEDIUM,
            "respond_minutes": 30,
            "respond_24x7": False,
            "resolve_minutes": 8 * 60,
            "resolve_24x7": False,
        },
        {
            "priority": Priority.LOW,
            "respond_minutes": 30,
            "respond_24x7": False,
            "resolve_minutes": 24 * 60,
            "resolve_24x7": False,
        },
    ]

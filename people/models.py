"""Who the engineers are for assignment: their skills (a category at a level), the sites
and working hours they cover, and how each site assigns new tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.choices import AssignMode, SkillLevel


class Skill(models.Model):
    """An engineer's level in one ticket category. A skill in a parent category covers its
    sub-categories too (``people.assignment``)."""

    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="skills",
        verbose_name=_("engineer"),
    )
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.CASCADE,
        related_name="skills",
        verbose_name=_("category"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices)
    # Where the level came from, for the engineer's "my skills" page: "training: <title>",
    # "set by <lead>".
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(fields=["engineer", "category"], name="people_skill_once"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="people_skill_level_1_3"
            ),
        ]
        indexes = [models.Index(fields=["category", "level"], name="people_skill_category")]

    def __str__(self) -> str:
        return f"{self.engineer} · {self.category} · {self.level}"


class EngineerProfile(models.Model):
    """What assignment needs to know about an engineer beyond their skills."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="engineer_profile",
        verbose_name=_("engineer"),
    )
    # Null: the desk's default calendar.
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working hours"),
        help_text=_("Empty: the desk's default calendar."),
    )
    # Empty: covers every site.
    sites = models.ManyToManyField(
        "accounts.Site",
        blank=True,
        related_name="+",
        verbose_name=_("sites covered"),
        help_text=_("Empty: every site."),
    )
    # When automatic assignment last gave them a ticket: round robin's turn order and the
    # "waited longest" tie-break (never assigned comes first).
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)
    auto_assign = models.BooleanField(
        _("automatic assignment"),
        default=True,
        help_text=_("Off: new tickets are never assigned to them automatically (e.g. on leave)."),
    )

    class Meta:
        verbose_name = _("engineer profile")
        verbose_name_plural = _("engineer profiles")

    def __str__(self) -> str:
        return str(self.user)


class SiteAssignment(models.Model):
    """A site that assigns new tickets its own way, overriding ``TICKETS_AUTO_ASSIGN``."""

    site = models.OneToOneField(
        "accounts.Site",
        on_delete=models.CASCADE,
        related_name="assignment",
        verbose_name=_("site"),
    )
    mode = models.CharField(_("automatic assignment"), max_length=16, choices=AssignMode.choices)

    class Meta:
        verbose_name = _("site assignment mode")
        verbose_name_plural = _("site assignment modes")

    def __str__(self) -> str:
        return f"{self.site}: {self.get_mode_display()}"


class EngineerLoad(models.Model):
    """An engineer's open tickets, counted and weighted by priority, kept exact by a trigger
    on ``tickets_ticket`` (migration ``people.0002``): whatever writes a ticket (a service's
    ``save()``, ``update()``, raw SQL) moves the counts in the same statement, so they
    commit or roll back with it. Automatic assignment reads the load of 200 engineers as
    200 rows instead of counting their 50,000 open tickets on every filing.

    The trigger writes a row only when a ticket's contribution moves: assigned, reassigned,
    reprioritised, leaving the open states or coming back (a reopen); a transition between
    open states costs nothing. ``people_engineerload_refresh()`` recounts everything (after
    a bulk load with triggers off, or a ``TRUNCATE``). The weights and the open states are
    written into the trigger: ``selectors.LOAD_WEIGHTS`` and ``tickets.choices.OPEN_STATES``
    must agree with it (a test compares the table with a fresh count).
    """

    engineer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="ticket_load",
        verbose_name=_("engineer"),
    )
    open_tickets = models.IntegerField(_("open tickets"), default=0)
    weighted = models.IntegerField(_("weighted load"), default=0)

    class Meta:
        verbose_name = _("open load")
        verbose_name_plural = _("open loads")

    def __str__(self) -> str:
        return f"{self.engineer_id}: {self.open_tickets} ({self.weighted})"

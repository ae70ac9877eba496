"""The knowledge base (R5.4, R6.3, R6.4): fault-case articles and their revisions, the
scenarios they apply to, links to tickets, readers' feedback, the zh↔en glossary, the
scripts library, and the record of suggestions shown while filing (deflection).

Search columns (``search_vector``, ``search_text``) are written by ``knowledge.search``
only, from the article's current text expanded through the glossary.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from knowledge.choices import (
    ArticleStatus,
    Audience,
    LinkKind,
    ScenarioKind,
    ScriptKind,
    ScriptLanguage,
)
from tickets.limits import TEXT_MAX
from tickets.models import Category, PrivateStorage, Ticket


class Scenario(models.Model):
    """Where an article applies: "Windows 10 22H2", "HP LaserJet M404dn", "Outlook 2019".

    ``retired_at``: the OS or version is no longer in use here; articles that apply only to
    retired scenarios are listed for review."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ScenarioKind.choices, default=ScenarioKind.OTHER
    )
    retired_at = models.DateField(_("retired on"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A fault case: symptom, cause, ordered resolution steps.

    Invariants: ``revision`` is the number of the latest ``ArticleRevision`` (every save
    through the services writes one); ``reviewed_by``/``reviewed_at`` are set once it has
    been reviewed; requesters see only ``audience=public`` and ``status=published``.
    """

    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"), max_length=TEXT_MAX)
    cause = models.TextField(_("cause"), max_length=TEXT_MAX, blank=True)
    # Ordered resolution steps, each a Markdown string.
    steps = models.JSONField(_("resolution steps"), default=list, blank=True)
    scenarios = models.ManyToManyField(
        Scenario, blank=True, related_name="articles", verbose_name=_("applies to")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    source_ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written from ticket"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # Counters kept by the services in the same transaction as the row they count.
    use_count = models.PositiveIntegerField(_("times used on tickets"), default=0)
    helpful_count = models.PositiveIntegerField(_("found helpful"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("found not helpful"), default=0)
    # Written by knowledge.search only.
    search_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        permissions = [("review_article", "Can review and publish knowledge articles")]
        indexes = [
            GinIndex(fields=["search_vector"], name="knowledge_article_search"),
            GinIndex(
                fields=["search_text"],
                name="knowledge_article_trgm",
                opclasses=["gin_trgm_ops"],
            ),
            models.Index(
                fields=["status", "audience", "-updated_at"], name="knowledge_article_list"
            ),
            models.Index(fields=["category", "status"], name="knowledge_article_category"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """Every edit kept: the article's fields as they were after revision ``number``."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"), max_length=TEXT_MAX)
    cause = models.TextField(_("cause"), max_length=TEXT_MAX, blank=True)
    steps = models.JSONField(_("resolution steps"), default=list)
    scenarios = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    category_slug = models.CharField(_("category"), max_length=64, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    status = models.CharField(_("status"), max_length=16, choices=ArticleStatus.choices)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(_("edited at"))
    note = models.CharField(_("change note"), max_length=500, blank=True)

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


def file_path(instance: ArticleFile | Script, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    safe_suffix = suffix if suffix[1:].isalnum() else ""
    return f"knowledge/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{safe_suffix}.bin"


class ArticleFile(models.Model):
    """A screenshot or attachment of an article, stored privately, served by a view that
    checks the reader may see the article (images inline, everything else as a download)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=PrivateStorage, upload_to=file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    is_image = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ArticleLink(models.Model):
    """A ticket and an article: "solved with" (a use) or "written from"."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="article_links")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket"], name="knowledge_link_once")
        ]
        indexes = [models.Index(fields=["ticket", "linked_at"], name="knowledge_link_by_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id}→{self.article_id}"


class ArticleFeedback(models.Model):
    """A reader's "helpful / not helpful", one per reader and article (changeable)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(_("given at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="knowledge_feedback_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{'+' if self.helpful else '-'}"


class GlossaryTerm(models.Model):
    """One zh↔en pair of IT terms ("打印机" / "printer"): queries and indexed text are
    expanded with the other side. Editable by admins."""

    zh = models.CharField(_("Chinese"), max_length=100)
    en = models.CharField(_("English"), max_length=100)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["en", "zh"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        constraints = [models.UniqueConstraint(fields=["zh", "en"], name="knowledge_term_once")]

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class Script(models.Model):
    """A diagnostic script or a remote-tool guide: staff only; every download logged."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ScriptKind.choices, default=ScriptKind.SCRIPT
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=ScriptLanguage.choices,
        default=ScriptLanguage.POWERSHELL,
    )
    body = models.TextField(_("script or guide"), max_length=200_000, blank=True)
    file = models.FileField(storage=PrivateStorage, upload_to=file_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    usage = models.TextField(_("usage"), max_length=TEXT_MAX, blank=True)
    platforms = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    version = models.CharField(_("version"), max_length=32, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    download_count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(body="") | ~Q(file=""), name="knowledge_script_has_content"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScriptDownload(models.Model):
    """Who downloaded which script, when (R6.4: each download logged)."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.CharField(max_length=32, blank=True)
    downloaded_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-downloaded_at", "-pk"]
        indexes = [
            models.Index(fields=["script", "-downloaded_at"], name="knowledge_download_by_script")
        ]

    def __str__(self) -> str:
        return f"{self.script_id} {self.user_id} {self.downloaded_at:%Y-%m-%d %H:%M}"


class SuggestionSession(models.Model):
    """One new-ticket form's suggestions (deflection): what was shown while the requester
    typed, and whether an article solved the problem (no ticket) or a ticket was filed
    anyway. ``token`` is the form's own, so one form is one row however often it asks."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_query = models.CharField(max_length=500, blank=True)
    shown = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    accepted_article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["started_at"], name="knowledge_suggest_started")]

    def __str__(self) -> str:
        return str(self.token)

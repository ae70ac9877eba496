"""The knowledge base's fixed vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone (requesters too)")
    INTERNAL = "internal", _("Staff only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ScenarioKind(models.TextChoices):
    OS = "os", _("Operating system")
    DEVICE = "device", _("Device model")
    APPLICATION = "application", _("Application")
    OTHER = "other", _("Other")


class LinkKind(models.TextChoices):
    SOLVED_WITH = "solved_with", _("Solved with")
    CREATED_FROM = "created_from", _("Written from")


class ScriptKind(models.TextChoices):
    SCRIPT = "script", _("Diagnostic script")
    GUIDE = "guide", _("Remote-tool guide")


class ScriptLanguage(models.TextChoices):
    POWERSHELL = "powershell", "PowerShell"
    BATCH = "batch", _("Windows batch")
    BASH = "bash", "Bash"
    PYTHON = "python", "Python"
    APPLESCRIPT = "applescript", "AppleScript"
    TEXT = "text", _("Plain text / guide")


class KnowledgeEntry(models.TextChoices):
    """Timeline entries the knowledge base writes on a ticket."""

    ARTICLE_LINKED = "kb_article_linked", _("Knowledge article linked")
    ARTICLE_UNLINKED = "kb_article_unlinked", _("Knowledge article unlinked")
    ARTICLE_CREATED = "kb_article_created", _("Turned into a knowledge article")

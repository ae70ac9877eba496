"""API shapes of the knowledge base. Request bodies are validated here and handed to the
services (which check everything again); nothing is saved through a serializer."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from knowledge import selectors
from knowledge.choices import ArticleStatus, Audience, ScriptKind, ScriptLanguage
from knowledge.models import Article, ArticleRevision, Scenario, Script, ScriptDownload
from knowledge.services.articles import MAX_SCENARIOS, MAX_STEPS
from knowledge.services.scripts import BODY_MAX, MAX_PLATFORMS, PLATFORM_MAX
from tickets.api.serializers import Body, LookupField, PersonSerializer
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Category


class ArticleSerializer(serializers.ModelSerializer[Article]):
    """One article as its reader may see it. ``source_ticket`` is the ticket's number when
    the reader may see that ticket, else ``null``; ``snippet`` is set on search results
    (safe HTML: escaped text with ``<mark>`` around the matched words)."""

    scenarios = serializers.SerializerMethodField()
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    author = PersonSerializer(read_only=True)
    reviewed_by = PersonSerializer(read_only=True, allow_null=True)
    source_ticket = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "symptom",
            "cause",
            "steps",
            "scenarios",
            "category",
            "audience",
            "status",
            "author",
            "reviewed_by",
            "reviewed_at",
            "published_at",
            "created_at",
            "updated_at",
            "revision",
            "source_ticket",
            "use_count",
            "helpful_count",
            "unhelpful_count",
            "url",
            "snippet",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_scenarios(self, obj: Article) -> list[str]:
        return [s.name for s in obj.scenarios.all()]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_source_ticket(self, obj: Article) -> str | None:
        numbers: dict[int, str] = self.context.get("tickets") or {}
        return numbers.get(obj.source_ticket_id) if obj.source_ticket_id else None

    def get_url(self, obj: Article) -> str:
        return reverse("knowledge:article", args=[obj.pk])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_snippet(self, obj: Article) -> str | None:
        snippets: dict[int, str] = self.context.get("snippets") or {}
        found = snippets.get(obj.pk)
        return str(found) if found is not None else None


def _text(limit: int, *, required: bool = False, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        max_length=limit,
        required=required,
        allow_blank=not required,
        help_text=help_text,
    )


class ArticleWriteSerializer(Body):
    """A new article, or (``partial``) the fields to change of one."""

    title = _text(max_length(Article, "title"), required=True, help_text="One line.")
    symptom = _text(TEXT_MAX, required=True, help_text="Markdown.")
    cause = _text(TEXT_MAX, help_text="Markdown.")
    steps = serializers.ListField(
        child=serializers.CharField(max_length=TEXT_MAX, allow_blank=True),
        max_length=MAX_STEPS,
        required=False,
        help_text="The resolution steps in order, each Markdown; empty ones are dropped.",
    )
    scenarios = serializers.ListField(
        child=serializers.CharField(max_length=max_length(Scenario, "name"), allow_blank=True),
        max_length=MAX_SCENARIOS,
        required=False,
        help_text='Where it applies: "Windows 10 22H2", "HP LaserJet M404dn", "Outlook 2019".',
    )
    category = LookupField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="A ticket category's slug.",
    )
    audience = serializers.ChoiceField(
        choices=Audience.choices,
        required=False,
        help_text="public: requesters may read it once published; internal: staff only.",
    )
    status = serializers.ChoiceField(
        choices=ArticleStatus.choices,
        required=False,
        help_text=(
            "Engineers create drafts; tech leads may create it reviewed or published, and "
            "change it later (draft → reviewed → published → archived, or back to draft)."
        ),
    )
    note = _text(max_length(ArticleRevision, "note"), help_text="Kept with the revision.")


class ScriptSerializer(serializers.ModelSerializer[Script]):
    owner = PersonSerializer(read_only=True)
    has_file = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Script
        fields = [
            "id",
            "name",
            "kind",
            "language",
            "usage",
            "body",
            "has_file",
            "original_name",
            "platforms",
            "version",
            "owner",
            "created_at",
            "updated_at",
            "download_count",
            "download_url",
        ]
        read_only_fields = fields

    def get_has_file(self, obj: Script) -> bool:
        return bool(obj.file)

    def get_download_url(self, obj: Script) -> str:
        return reverse("knowledge-api:script-download", args=[obj.pk])


class ScriptDownloadSerializer(serializers.ModelSerializer[ScriptDownload]):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = ScriptDownload
        fields = ["user", "version", "downloaded_at", "ip_address"]
        read_only_fields = fields


class ScriptDetailSerializer(ScriptSerializer):
    """One script with its latest downloads (who, when, which version)."""

    downloads = serializers.SerializerMethodField()

    class Meta(ScriptSerializer.Meta):
        fields = [*ScriptSerializer.Meta.fields, "downloads"]
        read_only_fields = fields

    @extend_schema_field(ScriptDownloadSerializer(many=True))
    def get_downloads(self, obj: Script) -> list[dict[str, Any]]:
        return list(ScriptDownloadSerializer(selectors.downloads_of(obj), many=True).data)


class ScriptWriteSerializer(Body):
    name = _text(max_length(Script, "name"), required=True)
    kind = serializers.ChoiceField(choices=ScriptKind.choices, required=False)
    language = serializers.ChoiceField(choices=ScriptLanguage.choices, required=False)
    body = serializers.CharField(
        max_length=BODY_MAX, required=False, allow_blank=True, trim_whitespace=False
    )
    file = serializers.FileField(required=False, help_text="The script's source (multipart).")
    usage = _text(TEXT_MAX, help_text="Markdown.")
    platforms = serializers.ListField(
        child=serializers.CharField(max_length=PLATFORM_MAX, allow_blank=True),
        max_length=MAX_PLATFORMS,
        required=False,
    )
    version = _text(max_length(Script, "version"))

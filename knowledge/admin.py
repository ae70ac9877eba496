"""The knowledge base's admin.

Scenarios are configuration: their kind, and the day one was retired (no longer in use
here), which lists its published articles for the tech leads' review. Articles and scripts
change only through their pages and the API (every article edit is a revision, every
download a log row), so the admin shows them read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from knowledge.models import Article, GlossaryTerm, Scenario, Script
from knowledge.services import glossary as glossary_services

# --- The zh↔en glossary (owned by knowledge search) -------------------------------------
# Admins add, change and delete pairs here; each change goes through
# knowledge.services.glossary, which re-expands the articles holding the words.


class GlossaryTermForm(forms.ModelForm[GlossaryTerm]):
    class Meta:
        model = GlossaryTerm
        fields = ("zh", "en")

    def clean_zh(self) -> str:
        return " ".join(str(self.cleaned_data.get("zh") or "").split())

    def clean_en(self) -> str:
        return " ".join(str(self.cleaned_data.get("en") or "").split())


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin[GlossaryTerm]):
    form = GlossaryTermForm
    list_display = ("zh", "en", "updated_at")
    search_fields = ("zh", "en")
    readonly_fields = ("updated_at",)
    list_per_page = 100

    def save_model(self, request: HttpRequest, obj: GlossaryTerm, form: Any, change: bool) -> None:
        if change and obj.pk:
            saved = glossary_services.change_term(obj.pk, zh=obj.zh, en=obj.en)
        else:
            saved = glossary_services.add_term(zh=obj.zh, en=obj.en)
        obj.pk, obj.updated_at = saved.pk, saved.updated_at

    def delete_model(self, request: HttpRequest, obj: GlossaryTerm) -> None:
        glossary_services.delete_terms([obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GlossaryTerm]) -> None:
        glossary_services.delete_terms(list(queryset.values_list("pk", flat=True)))


# --- Articles, scenarios, scripts ---------------------------------------------------------


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin[Scenario]):
    list_display = ("name", "kind", "retired_at")
    list_editable = ("kind", "retired_at")
    list_filter = ("kind", "retired_at")
    search_fields = ("name",)
    fields = ("name", "kind", "retired_at")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "audience", "category", "author", "revision", "updated_at")
    list_filter = ("status", "audience", "category")
    list_select_related = ("category", "author")
    search_fields = ("title",)
    exclude = ("search_vector", "search_text")
    ordering = ("-updated_at",)


@admin.register(Script)
class ScriptAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "language", "version", "owner", "download_count", "updated_at")
    list_filter = ("kind", "language")
    list_select_related = ("owner",)
    search_fields = ("name",)
    ordering = ("name",)

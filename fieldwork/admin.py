"""The admin of field work: the default functional checks of each category (R5.2).

Records of the work itself (consents, work log, visits, plans, checks) change only through
the services, which keep the timeline; they are not edited here.
"""

from __future__ import annotations

from django.contrib import admin

from fieldwork.models import CheckTemplate


@admin.register(CheckTemplate)
class CheckTemplateAdmin(admin.ModelAdmin[CheckTemplate]):
    """Per category, in order: what the engineer tries before resolving a fault there. A
    change reaches a ticket's list the next time its handler opens it (recorded checks stay);
    a check retired here (inactive) is no longer added to new tickets."""

    list_display = ("label", "label_en", "category", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    list_filter = ("category", "is_active")
    list_select_related = ("category",)
    search_fields = ("label", "label_en")
    ordering = ("category__sort_order", "category__slug", "sort_order", "pk")
    fields = ("category", "label", "label_en", "sort_order", "is_active")

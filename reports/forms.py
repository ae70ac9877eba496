"""The report pages' filter bar: the same GET parameters as ``/api/v1/reports/…``.

The form only shapes the controls (choices people can pick, the values they picked); what a
value means and whether it is allowed is decided in one place for the pages, the API and
the exports alike, ``reports.engine.params.filters_from``, whose field errors land here
beside their controls. ``group_by`` is the page's own choice among the groupings it
offers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.models import AnyUser
from reports.engine import Filters, params
from servicedesk.lib.api_http import text_problem
from tickets.choices import Channel, Priority
from tickets.filters import INDENT, parents_first, sites_nameable_by
from tickets.forms import StyledForm
from tickets.models import Category
from tickets.selectors import engineers

# The filters every report page offers, in the order the bar shows them; with ``from``,
# ``to`` and ``group_by`` these are the API's query parameters.
FILTER_NAMES = ("site", "category", "priority", "channel", "engineer")
QUERY_NAMES = ("from", "to", *FILTER_NAMES, "group_by")
ALL = _("All")


class ReportFilterForm(StyledForm):
    """Period, narrowing and (where the page offers several) the grouping."""

    id_prefix = "report"

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        request: HttpRequest,
        user: AnyUser,
        groups: Sequence[tuple[str, str | Promise]] = (),
    ) -> None:
        self.user = user
        self.filters: Filters | None = None
        self.group_by = ""
        super().__init__(data)
        date = {"type": "date"}
        self.fields["from"] = forms.CharField(
            label=_("From"), required=False, widget=forms.DateInput(attrs=date)
        )
        self.fields["to"] = forms.CharField(
            label=_("To"), required=False, widget=forms.DateInput(attrs=date)
        )
        sites = [(s.code, s.name) for s in sites_nameable_by(request)]
        categories = [
            (c.slug, INDENT * depth + c.label)
            for c, depth in parents_first(Category.objects.select_related("parent"))
        ]
        people = [(p.username, p.name) for p in engineers()]
        choices: dict[str, tuple[StrOrPromise, list[tuple[str, Any]]]] = {
            "site": (_("Site"), sites),
            "category": (_("Category"), categories),
            "priority": (_("Priority"), list(Priority.choices)),
            "channel": (_("Channel"), list(Channel.choices)),
            "engineer": (_("Engineer"), people),
        }
        for name, (label, options) in choices.items():
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Select(choices=[("", ALL), *options]),
            )
        self.groups = [key for key, _label in groups]
        if groups:
            self.fields["group_by"] = forms.CharField(
                label=_("Group by"), required=False, widget=forms.Select(choices=list(groups))
            )
        self.fields = {name: self.fields[name] for name in QUERY_NAMES if name in self.fields}
        # StyledForm styled the controls before these fields existed.
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Text the database cannot compare against (a NUL, a lone surrogate) is refused
        # here, beside its control, before anything is looked up with it.
        getter = getattr(self.data, "getlist", None)
        for name in QUERY_NAMES:
            values = getter(name) if getter else [self.data.get(name)]
            problems = [text_problem(str(v)) for v in values if v is not None]
            if any(problems) and name not in self.errors:
                self.add_error(
                    name if name in self.fields else None, next(p for p in problems if p)
                )
        if self.errors:
            return cleaned
        for read in (self._read_filters, self._read_group):
            try:
                read()
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned

    def _read_filters(self) -> None:
        self.filters = params.filters_from(self.data, self.user)

    def _read_group(self) -> None:
        if self.groups:
            self.group_by = params.group_by_from(self.data, self.groups, self.groups[0])

    def full_clean(self) -> None:
        super().full_clean()
        # An error is read out with its control.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"report_{name}_error"

    @property
    def in_use(self) -> int:
        """How many narrowing filters are set (the phone's "Filters" button says it)."""
        return sum(1 for name in FILTER_NAMES if self.data.get(name))

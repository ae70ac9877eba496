"""One FilterSet for the queue page and the API list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser, Site, User
from accounts.permissions import capabilities
from notifications import digests
from notifications.models import Digest
from servicedesk.lib.api_http import text_problem
from tickets import permissions, selectors
from tickets.choices import OPEN_STATES, Priority, TicketNotice, TicketState, WaitingOn
from tickets.models import Category, Ticket
from tickets.selectors import PRIORITY_RANK

USERNAME_MAX = User._meta.get_field("username").max_length or 150
# The blank choice of every filter: "All" (全部), never Django's "---------".
ALL = _("All")
# Indentation of a sub-category under its parent in a list of choices (kept by browsers,
# unlike plain spaces).
INDENT = "\u00a0" * 4


def parents_first(categories: Iterable[Category]) -> list[tuple[Category, int]]:
    """Categories as a tree, each parent followed by its children (any depth), with the
    depth of each; siblings keep their given order (``sort_order``, then slug). A category
    whose parent is not among them stands at the top level."""
    items = list(categories)
    present = {c.pk for c in items}
    children: dict[int | None, list[Category]] = defaultdict(list)
    for category in items:
        children[category.parent_id if category.parent_id in present else None].append(category)
    ordered: list[tuple[Category, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for category in children.get(parent, []):
            ordered.append((category, depth))
            walk(category.pk, depth + 1)

    walk(None, 0)
    return ordered


class CategoryTreeIterator(django_filters.fields.ModelChoiceIterator):  # type: ignore[misc]
    """The category choices parents first, children indented under them (one query)."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for category, depth in parents_first(self.queryset):
            value, label = self.choice(category)
            yield value, INDENT * depth + label

    def __len__(self) -> int:
        return len(list(iter(self)))


class CategoryTreeField(django_filters.fields.ModelChoiceField):  # type: ignore[misc]
    iterator = CategoryTreeIterator

    def label_from_instance(self, obj: Category) -> str:
        return obj.label


class CategoryFilter(django_filters.ModelChoiceFilter):  # type: ignore[misc]  # no types
    field_class = CategoryTreeField


class FastSelect(forms.Select):
    """A ``<select>`` rendered in Python, with the same markup as Django's templates.

    Django renders every ``<option>`` through its own template include; the queue's
    filter form has about a hundred of them, which cost more than the whole table.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [
            format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    str(option["value"]),
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece went through format_html


class ListSelect(FastSelect):
    """A one-choice dropdown for a multiple-choice filter (``?state=a&state=b`` still works)."""

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile[Any]], name: str
    ) -> list[str]:
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else [data.get(name)]
        return [v for v in values if v]

    def optgroups(
        self, name: str, value: list[str], attrs: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        groups = super().optgroups(name, value, attrs)
        blank = self.create_option(name, "", str(ALL), not value, 0)
        return [(None, [blank], 0), *groups]


def people_nameable_by(request: HttpRequest | None) -> QuerySet[User]:
    """Whom a filter may name: staff the engineers (the people tickets are assigned to),
    anyone else only themselves. The filter's form lists these people, so this is also
    who the browsable API's filter form shows the caller."""
    user: AnyUser | None = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return User.objects.none()
    if capabilities(user).view_all:
        return selectors.engineers()
    return User.objects.filter(pk=user.pk)


def sites_nameable_by(request: HttpRequest | None) -> QuerySet[Site]:
    """The sites a filter offers: staff limited to some sites (R7.2) are offered theirs."""
    user: AnyUser | None = getattr(request, "user", None)
    sites = Site.objects.all()
    if user is None or not capabilities(user).view_all:
        return sites
    limited = permissions.limited_sites(user)
    return sites if limited is None else sites.filter(pk__in=sorted(limited))


class _Nobody:
    """The value of a person filter naming someone unknown or not visible to the caller."""


NOBODY = _Nobody()


class PersonChoiceField(django_filters.fields.ModelChoiceField):  # type: ignore[misc]
    """A username among the people the caller may name; any other name means nobody.

    Not "select a valid choice": an error for a name that exists but is hidden, and none for
    one that is visible, would tell a requester which usernames exist.
    """

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and (len(value) > USERNAME_MAX or text_problem(value)):
            return NOBODY  # PostgreSQL would refuse to compare against it
        try:
            return super().to_python(value)
        except ValidationError:
            return NOBODY


class PersonFilter(django_filters.ModelChoiceFilter):  # type: ignore[misc]  # no types
    field_class = PersonChoiceField

    def filter(self, qs: QuerySet[Ticket], value: Any) -> QuerySet[Ticket]:
        if value is NOBODY:
            return qs.none()
        return cast("QuerySet[Ticket]", super().filter(qs, value))


ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    "deadline": (F("next_due_at").asc(nulls_last=True), "submitted_at"),
    "priority": ("priority_rank", "submitted_at"),
    "newest": ("-submitted_at",),
    "oldest": ("submitted_at",),
    "activity": ("-last_activity_at",),
}


class IdFilter(django_filters.NumberFilter):  # type: ignore[misc]  # no types
    """A row's id: a whole number (a decimal or an exponent is a form error, not a 500)."""

    field_class = forms.IntegerField


class TicketFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter has no types
    # distinct=False: these filter the ticket's own column (no join, no duplicates), and
    # DISTINCT over every selected column would make PostgreSQL sort the whole match.
    state = django_filters.MultipleChoiceFilter(
        choices=TicketState.choices, label=_("State"), widget=ListSelect, distinct=False
    )
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open only"))
    priority = django_filters.MultipleChoiceFilter(
        choices=Priority.choices, label=_("Priority"), widget=ListSelect, distinct=False
    )
    category = CategoryFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="filter_category",
        label=_("Category"),
        empty_label=ALL,
        widget=FastSelect,
    )
    site = django_filters.ModelChoiceFilter(
        queryset=sites_nameable_by,
        to_field_name="code",
        label=_("Site"),
        empty_label=ALL,
        widget=FastSelect,
    )
    assignee = PersonFilter(
        queryset=people_nameable_by,
        to_field_name="username",
        label=_("Assignee"),
        empty_label=ALL,
        widget=FastSelect,
    )
    unassigned = django_filters.BooleanFilter(
        field_name="assignee", lookup_expr="isnull", label=_("Unassigned")
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Assigned to me"))
    waiting_on = django_filters.ChoiceFilter(
        choices=WaitingOn.choices, label=_("Waiting on"), empty_label=ALL
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    # The tickets one of the viewer's digests folded (its link), within what they may see.
    digest = IdFilter(method="filter_digest", label=_("Digest"), min_value=1, max_value=2**63 - 1)
    sort = django_filters.ChoiceFilter(
        choices=[
            ("deadline", _("Nearest deadline")),
            ("priority", _("Priority")),
            ("newest", _("Newest")),
            ("oldest", _("Oldest")),
            ("activity", _("Last activity")),
        ],
        method="filter_sort",
        label=_("Sort"),
        empty_label=None,
        widget=FastSelect,
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_open(self, qs: QuerySet[Ticket], name: str, value: bool | None) -> QuerySet[Ticket]:
        if value is None:
            return qs
        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)

    def filter_category(
        self, qs: QuerySet[Ticket], name: str, value: Category | None
    ) -> QuerySet[Ticket]:
        if value is None:
            return qs
        return qs.filter(Q(category=value) | Q(category__parent=value))

    def filter_mine(self, qs: QuerySet[Ticket], name: str, value: bool | None) -> QuerySet[Ticket]:
        if not value:
            return qs
        return qs.filter(assignee=self.request.user)

    def filter_text(self, qs: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(number__iexact=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def filter_digest(self, qs: QuerySet[Ticket], name: str, value: int | None) -> QuerySet[Ticket]:
        if value is None:
            return qs
        user = getattr(self.request, "user", None)
        if not isinstance(user, User):
            return qs.none()
        return qs.filter(number__in=digests.numbers_of(value, user))

    def filter_sort(self, qs: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        return qs.annotate(priority_rank=PRIORITY_RANK).order_by(
            *ORDERINGS.get(value, ORDERINGS["deadline"])
        )


def digest_link(digest: Digest, person: User) -> str | None:
    """A digest of ticket news links to the queue filtered to exactly its tickets, for a
    person who may see the queue (``notifications.digests.link_with``)."""
    if digest.kind not in TicketNotice.values or not capabilities(person).view_all:
        return None
    return f"{reverse('tickets:queue')}?{urlencode({'digest': digest.pk})}"


# The names the queue's querystring may carry (the filters above), in a fixed order.
FILTER_KEYS = tuple(sorted(TicketFilter.base_filters))
# The order the queue has when none is asked for: saying it changes nothing.
DEFAULT_SORT = "deadline"


def canonical_query(data: Mapping[str, Any], *, keep: Iterable[str] = ()) -> str:
    """A querystring's filters in one spelling: only the queue's filter names (and ``keep``,
    e.g. ``page``), no empty values, sorted by name, URL-encoded. Two querystrings that
    filter alike read the same, so a saved view knows when it is the one shown; anything
    else a URL carried is dropped, and so is the default order."""
    getter = getattr(data, "getlist", None)
    pairs: list[tuple[str, str]] = []
    for key in sorted({*FILTER_KEYS, *keep}):
        values = getter(key) if getter else [data.get(key)]
        pairs.extend(
            (key, str(v))
            for v in values
            if v is not None and str(v).strip() and (key, v) != ("sort", DEFAULT_SORT)
        )
    return urlencode(pairs, errors="replace")

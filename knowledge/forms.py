"""The knowledge pages' forms: browse filters, the article editor, review actions,
feedback, files, and the scripts library. The services check everything again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.permissions import capabilities
from knowledge.choices import ArticleStatus, Audience, ScriptKind, ScriptLanguage
from knowledge.labels import status_choices
from knowledge.models import Article, ArticleFeedback, ArticleRevision, Scenario, Script
from knowledge.services.articles import MAX_SCENARIOS, MAX_STEPS, TRANSITIONS
from knowledge.services.scripts import BODY_MAX
from tickets.forms import CategoryChoiceField, MultipleFileField, StyledForm, length_hint
from tickets.limits import TEXT_MAX, max_length
from tickets.selectors import categories_in_tree_order

# Names typed in one box: one per line, or separated by commas or semicolons (either width).
_SEPARATORS = re.compile(r"[\n\r,;，；、]+")
MARKDOWN_HINT = _(
    "Markdown: **bold**, `code`, lists, [links](https://…). Show a screenshot of this "
    "article with ![description](file:name.png)."
)


def split_names(text: str) -> list[str]:
    return [name.strip() for name in _SEPARATORS.split(text or "") if name.strip()]


class BrowseForm(StyledForm):
    """The browse page's search box and filters (``q`` goes to ``knowledge.search``)."""

    id_prefix = "kb"

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.SlugField(required=False, max_length=64)
    tag = forms.CharField(required=False, max_length=max_length(Scenario, "name"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not archived")), *status_choices()],
    )
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("Anyone")), *Audience.choices]
    )

    def query(self) -> dict[str, str]:
        """The filters as typed (the valid ones), for links that keep them."""
        data = self.cleaned_data if self.is_valid() else {}
        return {k: v for k, v in data.items() if v}


class StepsWidget(forms.Widget):
    """Steps come as several ``steps`` fields (one textarea each); the template draws them."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[str]:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return list(getlist(name))
        value = data.get(name)
        return list(value) if isinstance(value, list | tuple) else [value] if value else []


class StepsField(forms.Field):
    widget = StepsWidget

    def to_python(self, value: Any) -> list[str]:
        items = value if isinstance(value, list | tuple) else [value] if value else []
        return [str(item).strip() for item in items if item and str(item).strip()]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > MAX_STEPS:
            raise forms.ValidationError(
                _("At most %(count)d steps.") % {"count": MAX_STEPS}, code="max_steps"
            )
        for step in value:
            if len(step) > TEXT_MAX:
                raise forms.ValidationError(
                    _("Each step is at most %(limit)s characters.") % {"limit": f"{TEXT_MAX:,}"},
                    code="max_length",
                )
            if "\x00" in step:
                raise forms.ValidationError(_("Null characters are not allowed."), code="null")


def _markdown_field(label: Any, *, required: bool, rows: int, hint: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX}),
        help_text=format_lazy("{} {} {}", hint, MARKDOWN_HINT, length_hint(TEXT_MAX)),
    )


class ArticleForm(StyledForm):
    """An article: what people see, why, what to do, where it applies, who may read it."""

    id_prefix = "article"

    title = forms.CharField(
        label=_("Title"),
        max_length=max_length(Article, "title"),
        help_text=_("One line, e.g. “Printer says out of paper but the tray is full”."),
    )
    symptom = _markdown_field(
        _("Symptom"),
        required=True,
        rows=4,
        hint=_("What the person sees: messages, error codes, when it happens."),
    )
    cause = _markdown_field(
        _("Cause"), required=False, rows=3, hint=_("Why it happens, when known.")
    )
    steps = StepsField(label=_("Resolution steps"), required=False)
    scenarios = forms.CharField(
        label=_("Applies to"),
        required=False,
        max_length=MAX_SCENARIOS * (max_length(Scenario, "name") + 1),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: operating system and version, device model, application and "
            "version, e.g. “Windows 10 22H2”, “HP LaserJet M404dn”, “Outlook 2019”."
        ),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=categories_in_tree_order(),
        required=False,
        empty_label=_("No category"),
    )
    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Audience.choices,
        initial=Audience.INTERNAL,
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(label=_("Save as"), choices=status_choices())
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=max_length(ArticleRevision, "note"),
        help_text=_("A short note kept with this revision (optional)."),
    )

    def __init__(
        self, *args: Any, user: AnyUser, article: Article | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.article = article
        caps = capabilities(user)
        status = cast(forms.ChoiceField, self.fields["status"])  # declared just above
        if article is not None:
            del self.fields["status"]  # on an existing article status moves by review actions
        elif caps.review_articles:
            status.choices = status_choices(
                ArticleStatus.DRAFT, ArticleStatus.REVIEWED, ArticleStatus.PUBLISHED
            )
        else:
            status.choices = status_choices(ArticleStatus.DRAFT)
            status.widget = forms.HiddenInput()
        published = article is not None and article.status == ArticleStatus.PUBLISHED
        if published and not caps.review_articles:
            self.fields["audience"].disabled = True
            self.fields["audience"].help_text = _(
                "Only tech leads change who may read a published article."
            )

    @classmethod
    def for_article(cls, article: Article, *, user: AnyUser) -> ArticleForm:
        initial = {
            "title": article.title,
            "symptom": article.symptom,
            "cause": article.cause,
            "steps": list(article.steps),
            "scenarios": "\n".join(s.name for s in article.scenarios.all()),
            "category": article.category_id,
            "audience": article.audience,
        }
        return cls(initial=initial, user=user, article=article)

    def clean_scenarios(self) -> list[str]:
        names = split_names(self.cleaned_data.get("scenarios") or "")
        limit = max_length(Scenario, "name")
        too_long = [n for n in names if len(n) > limit]
        if too_long:
            raise forms.ValidationError(
                _("Each name is at most %(limit)d characters.") % {"limit": limit}
            )
        if len({n.casefold() for n in names}) > MAX_SCENARIOS:
            raise forms.ValidationError(
                _("At most %(count)d scenarios.") % {"count": MAX_SCENARIOS}
            )
        return names

    def step_boxes(self, extra: int = 0) -> list[tuple[str, int]]:
        """The steps to draw, one textarea each (text, rows): those typed (or saved), then
        a few empty ones."""
        if self.is_bound:
            typed = self.fields["steps"].widget.value_from_datadict(self.data, None, "steps")
            steps = [str(s) for s in typed if s and str(s).strip()]
        else:
            steps = list(self.initial.get("steps") or [])
        steps += [""] * max(2 + extra, 3 - len(steps))
        return [(text, min(max(2, text.count("\n") + 2), 12)) for text in steps]

    def changes(self) -> dict[str, Any]:
        """The cleaned fields under the services' names."""
        data = dict(self.cleaned_data)
        data.pop("note", None)
        data.pop("status", None)
        if self.fields["audience"].disabled:
            data.pop("audience", None)
        return data


class StatusForm(StyledForm):
    """A review action (tech leads) with an optional note kept in the revision."""

    id_prefix = "status"

    action = forms.ChoiceField(choices=[(name, name) for name in TRANSITIONS])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=max_length(ArticleRevision, "note"),
    )


class FeedbackForm(StyledForm):
    id_prefix = "feedback"

    helpful = forms.TypedChoiceField(
        label=_("Did this article help?"),
        choices=[("yes", _("Yes, it helped")), ("no", _("No, it did not help"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Say whether the article helped.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=max_length(ArticleFeedback, "comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=format_lazy(
            "{} {}",
            _("What was missing or wrong (optional; the IT staff read it)."),
            length_hint(max_length(ArticleFeedback, "comment")),
        ),
    )


class FilesForm(StyledForm):
    id_prefix = "files"

    attachments = MultipleFileField(label=_("Add screenshots or files"))


class ScriptForm(StyledForm):
    """A script or a remote-tool guide of the library."""

    id_prefix = "script"

    name = forms.CharField(label=_("Name"), max_length=max_length(Script, "name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ScriptKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=ScriptLanguage.choices)
    usage = forms.CharField(
        label=_("Usage"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            "{} {}", _("When to use it, how to run it, what it changes."), MARKDOWN_HINT
        ),
    )
    body = forms.CharField(
        label=_("Script or guide"),
        required=False,
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_("The script's text, or the guide's steps (Markdown). Or upload a file."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("The script's source file (a new one replaces the old). Programs are refused."),
    )
    platforms = forms.CharField(
        label=_("Platforms"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas, e.g. “Windows 10, Windows 11”."),
    )
    version = forms.CharField(
        label=_("Version"), required=False, max_length=max_length(Script, "version")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["class"] += " font-monospace"

    @classmethod
    def for_script(cls, script: Script) -> ScriptForm:
        return cls(
            initial={
                "name": script.name,
                "kind": script.kind,
                "language": script.language,
                "usage": script.usage,
                "body": script.body,
                "platforms": ", ".join(script.platforms),
                "version": script.version,
            }
        )

    def clean_platforms(self) -> list[str]:
        return split_names(self.cleaned_data.get("platforms") or "")

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("file") is None:
            data.pop("file", None)
        return data


class ScriptFilterForm(StyledForm):
    id_prefix = "scripts"

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *ScriptKind.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *ScriptLanguage.choices],
    )

    def query(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: v for k, v in data.items() if v}


class CompareForm(forms.Form):
    """Two revision numbers to compare (the older first)."""

    old = forms.IntegerField(min_value=1)
    new = forms.IntegerField(min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        old, new = data.get("old"), data.get("new")
        if old is not None and new is not None and old > new:
            data["old"], data["new"] = new, old
        return data

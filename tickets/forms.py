"""HTML forms. They validate and shape input; services do the writing."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db.models import Model
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assets.models import Asset
from tickets.attachments import upload_hint
from tickets.callers import callers_for
from tickets.choices import Impact, Priority, RootCauseType, Urgency
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Category, Message, Ticket
from tickets.selectors import categories_in_tree_order, dispatch_choices, engineers

M = TypeVar("M", bound=Model)


class StyledForm(forms.Form):
    """Adds Tabler classes and accessibility attributes to every widget.

    ``id_prefix`` keeps element ids unique when several forms share a page.
    """

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self.id_prefix}_{name}_help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


def _choice_field(form: forms.BaseForm, name: str, model: type[M]) -> forms.ModelChoiceField[M]:
    """The form's model choice field ``name``, typed by the model it chooses from."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a choice of {model.__name__}")
    return field


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


# The limits are read when the form is shown, so a changed setting is what people read.
_upload_hint = lazy(upload_hint, str)


def length_hint(limit: int) -> Any:
    """ "At most 2,000 characters.", for a field's help text."""
    return format_lazy(_("At most {limit} characters."), limit=f"{limit:,}")


def add_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """A service's refusal shown like the form's own errors: beside the field, marked; an
    error of no field of the form goes above it."""
    for name, messages in errors.items():
        form.add_error(name if name in form.fields else None, messages)
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


class MultipleFileField(forms.FileField):
    """Zero or more files from one ``<input type=file multiple>``; says its limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _upload_hint())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.label} / {obj.label}" if obj.parent is not None else obj.label


class TicketForm(StyledForm):
    """The requester's report, in the order a person thinks (UI.md)."""

    title = forms.CharField(
        label=_("Summary"),
        max_length=max_length(Ticket, "title"),
        help_text=_("One line, e.g. “Printer says out of paper but the tray is full”."),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=max_length(Ticket, "description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=format_lazy(
            "{} {}",
            _("The fault as you see it: messages, error codes, what you already tried."),
            length_hint(max_length(Ticket, "description")),
        ),
    )
    asset = forms.ModelChoiceField(
        label=_("My device"),
        queryset=Asset.objects.none(),
        required=False,
        empty_label=_("Not listed, or not my own device"),
    )
    affected_system = forms.CharField(
        label=_("Device or system, model and version"),
        max_length=max_length(Ticket, "affected_system"),
        required=False,
        help_text=_("e.g. “HP LaserJet M404dn, firmware 002.2135” or “OA system 5.2”."),
    )
    occurred_at = forms.DateTimeField(
        label=_("Since when"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    scenario = forms.CharField(
        label=_("While doing what"),
        max_length=max_length(Ticket, "scenario"),
        required=False,
        help_text=_("e.g. “while printing a PDF”."),
    )
    impact = forms.ChoiceField(
        label=_("How many are affected"), choices=Impact.choices, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("How bad is it"), choices=Urgency.choices, widget=forms.RadioSelect
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose a category")
    )
    attachments = MultipleFileField(label=_("Screenshots or logs"))

    def __init__(self, *args: Any, requester: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "category", Category).queryset = categories_in_tree_order()
        assets = (
            Asset.objects.none() if requester is None else Asset.objects.filter(owner=requester)
        )
        if assets.exists():
            _choice_field(self, "asset", Asset).queryset = assets
        else:
            del self.fields["asset"]


class CallForm(TicketForm):
    """An engineer logs a phone call for a caller (R1.3).

    The caller is looked up by name, phone number or employee ID (``tickets.callers``; the
    page's picker, ``tickets/partials/_caller_picker.html``) and posted as ``requester``, a
    hidden id checked against the people ``actor`` may log a call for."""

    requester = forms.ModelChoiceField(
        label=_("Caller"),
        queryset=User.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Look the caller up and choose them from the list."),
            "invalid_choice": _("Choose the caller from the list: look them up again."),
        },
    )
    contact = forms.CharField(
        label=_("Call-back number"),
        max_length=max_length(Ticket, "contact"),
        required=False,
        help_text=_(
            "The number or extension to call them back on; filled in from their profile "
            "when you choose them, and yours to change."
        ),
    )

    field_order = ["requester", "contact"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("asset", None)
        self.fields["title"].label = _("What the caller reports")
        self.fields["title"].help_text = _("One line, e.g. “Blue screen when starting Outlook”.")
        people = callers_for(actor).select_related("department", "site")
        _choice_field(self, "requester", User).queryset = people


class DiagnoseForm(StyledForm):
    id_prefix = "diag"
    root_cause_type = forms.ChoiceField(label=_("Fault type"), choices=RootCauseType.choices)
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=max_length(Ticket, "root_cause"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    impact_scope = forms.CharField(
        label=_("Impact scope"),
        max_length=max_length(Ticket, "impact_scope"),
        help_text=_("e.g. “only the finance department's intranet”."),
    )
    solution_plan = forms.CharField(
        label=_("Solution plan"),
        max_length=max_length(Ticket, "solution_plan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Least invasive first; the risk; the time agreed with the requester."),
    )


class ResolveForm(StyledForm):
    id_prefix = "res"
    solution = forms.CharField(
        label=_("Solution applied"),
        max_length=max_length(Ticket, "solution"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifyForm(StyledForm):
    id_prefix = "ver"
    verification_note = forms.CharField(
        label=_("Your confirmation"),
        max_length=max_length(Ticket, "verification_note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “Printed successfully, speed back to normal”."),
    )


class ReasonForm(StyledForm):
    id_prefix = "reason"
    reason = forms.CharField(
        label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(ReasonForm):
    id_prefix = "reject"
    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(ReasonForm):
    id_prefix = "cancel"
    reason = forms.CharField(
        label=_("Why cancel?"),
        max_length=max_length(Ticket, "cancel_reason"),
        help_text=_("e.g. “Solved itself” or “Duplicate of IT-20261124-0042”."),
    )


class RequestInfoForm(StyledForm):
    id_prefix = "info"
    question = forms.CharField(
        label=_("What do you need from the requester?"),
        max_length=max_length(Message, "body"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “Please send the blue-screen code or the error log”."),
    )


class ReplyForm(StyledForm):
    id_prefix = "reply"
    body = forms.CharField(
        label=_("Message"),
        max_length=max_length(Message, "body"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=length_hint(max_length(Message, "body")),
    )
    internal = forms.BooleanField(label=_("Internal note (engineers only)"), required=False)
    attachments = MultipleFileField(label=_("Attach files"))


class PriorityForm(StyledForm):
    id_prefix = "prio"
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=max_length(Ticket, "priority_reason")
    )


class EngineerChoiceField(forms.ModelChoiceField[User]):
    """An engineer by name; the ticket's site's local IT contacts say so (R7.2)."""

    def label_from_instance(self, obj: User) -> str:
        if getattr(obj, "is_local_contact", False):
            return str(_("%(name)s (local IT contact)") % {"name": obj.name})
        return obj.name


class AssignForm(StyledForm):
    """Dispatch (派单) or reassign (转派): the engineers of the queue, and why. Shown for a
    ``ticket``: only the engineers who may see it, its site's local IT contacts first."""

    id_prefix = "asg"
    assignee = EngineerChoiceField(
        label=_("Engineer"), queryset=User.objects.none(), empty_label=_("Choose an engineer")
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, ticket: Ticket | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choice_field(self, "assignee", User)
        field.queryset = engineers() if ticket is None else dispatch_choices(ticket.site_id)

"""HTML forms of the incident pages: they shape input, ``incidents.services`` checks it again."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Site, User
from incidents.choices import IncidentStatus, MemberRole
from incidents.models import MajorIncident, StatusNote
from incidents.services.linking import MAX_LINKED_AT_ONCE
from incidents.services.status import ORDER
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.selectors import engineers, tech_leads

TEXT_ROWS = 3


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name} ({obj.username})"


class DeclareForm(StyledForm):
    id_prefix = "declare"
    title = forms.CharField(
        label=_("Title"),
        max_length=max_length(MajorIncident, "title"),
        help_text=_("What is down, in a few words: it is the subject of every report."),
    )
    impact = forms.CharField(
        label=_("Impact"),
        max_length=max_length(MajorIncident, "impact"),
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        help_text=_("Who cannot do what, since when, how many people or sites."),
    )
    affected_services = forms.CharField(
        label=_("Affected services"),
        max_length=max_length(MajorIncident, "affected_services"),
        required=False,
        help_text=_("For example: e-mail, VPN, the ERP system."),
    )
    commander = PersonChoiceField(
        label=_("Commander"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
        help_text=_("A tech lead. An engineer declaring names the tech lead who commands it."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Affected sites"),
        queryset=Site.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    stakeholders = forms.CharField(
        label=_("Stakeholders"),
        required=False,
        max_length=2_000,
        help_text=_(
            "Besides the managers, who gets the report every 30 minutes: usernames or e-mail "
            "addresses, separated by commas or spaces."
        ),
    )
    ticket = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commander = self.fields["commander"]
        if isinstance(commander, PersonChoiceField):  # declared above
            commander.queryset = tech_leads()
        self.fields["sites"].widget.attrs.pop("class", None)

    def clean_stakeholders(self) -> list[User]:
        names = [n for n in re.split(r"[\s,;，；]+", self.cleaned_data["stakeholders"]) if n]
        if not names:
            return []
        found = list(
            User.objects.filter(Q(username__in=names) | Q(email__in=names), is_active=True)
        )
        known = {u.username for u in found} | {u.email for u in found}
        missing = [n for n in names if n not in known]
        if missing:
            raise forms.ValidationError(
                _("No active person named %(names)s.") % {"names": ", ".join(missing[:10])}
            )
        return found


def desk_people() -> QuerySet[User]:
    """Whom the task force form offers: the engineers and tech leads."""
    ids = engineers().values("pk").union(tech_leads().values("pk"))
    return User.objects.filter(pk__in=ids).order_by("username")


class MemberForm(StyledForm):
    id_prefix = "member"
    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Role"), choices=MemberRole.choices, initial=MemberRole.ENGINEER
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.fields["user"]
        if isinstance(user, PersonChoiceField):  # declared above
            user.queryset = desk_people()


class StatusForm(StyledForm):
    id_prefix = "status"
    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    note = forms.CharField(
        label=_("What was done"),
        max_length=max_length(StatusNote, "body"),
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        help_text=_(
            "Goes into the next management report. With “Service restored” it is the restoration."
        ),
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        max_length=max_length(StatusNote, "next_steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, current: str = IncidentStatus.INVESTIGATING, **kwargs: Any):
        kwargs.setdefault("initial", {"status": current})
        super().__init__(*args, **kwargs)
        self.offer(current)

    def offer(self, current: str) -> None:
        """Offer the current status (an update) and the later ones; "reviewed" is the
        review's. Validation accepts what is offered; the service refuses going backwards."""
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in IncidentStatus.choices
            if value != IncidentStatus.REVIEWED
            and ORDER[IncidentStatus(value)] >= ORDER[IncidentStatus(current)]
        ]


class RestoreForm(StyledForm):
    id_prefix = "restore"
    restoration = forms.CharField(
        label=_("How service was restored"),
        max_length=max_length(MajorIncident, "restoration"),
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        help_text=_("The workaround or the fix, for example “switched to the standby server”."),
    )


class LinkForm(StyledForm):
    id_prefix = "link"
    tickets = forms.CharField(
        label=_("Ticket numbers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=40 * MAX_LINKED_AT_ONCE,
        help_text=format_lazy(
            _("Open tickets about this outage, separated by spaces, commas or lines (up to {n})."),
            n=f"{MAX_LINKED_AT_ONCE:,}",
        ),
    )

    def clean_tickets(self) -> list[str]:
        return [n for n in re.split(r"[\s,;，；]+", self.cleaned_data["tickets"]) if n]

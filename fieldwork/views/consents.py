"""Remote-session consent from the ticket page: the engineer asks, the requester grants,
refuses or revokes.

Each view parses its form and calls one service; on success it goes back to the ticket
with a message, on failure it shows the ticket again with the error in the panel (the
form keeps what was typed): 404 not visible, 403 not allowed, 409 not in this state, 400
with the field's error. ``submit`` and ``again`` are shared with the work-log views.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fieldwork.models import RemoteConsent
from fieldwork.services import consents as service
from fieldwork.views.common import at_top, submit
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.models import Ticket
from tickets.views.common import signed_in_user

# Names of the panels the forms live in (fieldwork/registrations/*.py).
WORK_PANEL = "remote_consent"
REQUESTER_PANEL = "remote_consent_requester"
# Tools people name most; any other may be typed.
COMMON_TOOLS = ("TeamViewer", "ToDesk", "向日葵 Sunlogin", "AnyDesk", "Windows Quick Assist")


class ConsentRequestForm(StyledForm):
    id_prefix = "consent"
    tool = forms.CharField(
        label=gettext_lazy("Remote tool"),
        max_length=max_length(RemoteConsent, "tool"),
        help_text=gettext_lazy("e.g. TeamViewer, or the company's own remote-support tool."),
    )
    purpose = forms.CharField(
        label=gettext_lazy("What for"),
        max_length=max_length(RemoteConsent, "purpose"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What you will do, in words the requester understands."),
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("How long (minutes)"),
        min_value=service.DURATION_MIN,
        max_value=service.DURATION_MAX,
        initial=30,
        help_text=gettext_lazy("Between 5 and 480 minutes; the grant ends by itself then."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tool"].widget.attrs["list"] = "consent-tools"
        self.fields["tool"].widget.attrs["autocomplete"] = "off"


class RefuseForm(StyledForm):
    id_prefix = "refuse"
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=max_length(RemoteConsent, "refusal_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("e.g. “I'm in a meeting until 15:00, please ask again then”."),
    )


# --- the views ---------------------------------------------------------------------------


@login_required
@require_POST
def consent_request(request: HttpRequest, number: str) -> HttpResponse:
    """The engineer handling the ticket asks for a remote session."""

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.request_consent(ticket.pk, actor=signed_in_user(request), **data)

    form = ConsentRequestForm(request.POST)
    return submit(
        request,
        number,
        form=form,
        panel=WORK_PANEL,
        patch=at_top("form", form),
        run=run,
        success=_("Request sent: the requester is asked to allow remote access."),
        anchor="#remote-session",
    )


@login_required
@require_POST
def consent_grant(request: HttpRequest, number: str, consent_id: int) -> HttpResponse:
    """The requester allows the session, for the time asked."""

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.grant_consent(ticket.pk, consent_id, actor=signed_in_user(request))

    return submit(
        request,
        number,
        form=None,
        panel=REQUESTER_PANEL,
        patch=at_top("refuse_form", None),
        run=run,
        success=_("Remote access allowed. You can stop it at any time on this page."),
        anchor="#remote-consent",
    )


@login_required
@require_POST
def consent_refuse(request: HttpRequest, number: str, consent_id: int) -> HttpResponse:
    """The requester says no, optionally saying why."""

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.refuse_consent(
            ticket.pk, consent_id, actor=signed_in_user(request), reason=data.get("reason", "")
        )

    form = RefuseForm(request.POST)
    return submit(
        request,
        number,
        form=form,
        panel=REQUESTER_PANEL,
        patch=at_top("refuse_form", form),
        run=run,
        success=_("Remote access refused. The engineer has been told."),
        anchor="",
    )


@login_required
@require_POST
def consent_revoke(request: HttpRequest, number: str, consent_id: int) -> HttpResponse:
    """The requester stops a running grant."""

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.revoke_consent(ticket.pk, consent_id, actor=signed_in_user(request))

    return submit(
        request,
        number,
        form=None,
        panel=REQUESTER_PANEL,
        patch=at_top("refuse_form", None),
        run=run,
        success=_("Remote access stopped. The engineer has been told."),
        anchor="",
    )

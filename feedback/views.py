"""The survey form's post (``/feedback/<number>/survey/``), from the requester's ticket page.

A refused post shows the ticket page again with the form and its errors in the survey
panel (400), or the reason at the top (409: no survey yet, a reopened ticket, the edit
window over); someone else's ticket is a 404, anyone but its requester a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import panels, permissions, services
from feedback.forms import SurveyForm
from tickets.choices import TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.views.common import signed_in_user, ticket_or_404
from tickets.views.ticket import detail_context

ANCHOR = "#survey"


def _again(
    request: HttpRequest, number: str, form: SurveyForm, status: int, error: str = ""
) -> HttpResponse:
    """The ticket page again, the survey panel showing ``form`` (with its errors), open."""
    context = detail_context(request, ticket_or_404(request, number))
    for shown in context["panels"].get("requester", []):
        if shown.name == panels.REQUESTER_PANEL and shown.context.get("form") is not None:
            shown.context["form"] = form
            shown.context["open"] = True
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)


@login_required
@require_POST
def answer(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    if not permissions.can_answer(ticket, actor):
        raise PermissionDenied(_("Only the person who reported the problem answers its survey."))
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _again(request, number, form, 400)
    try:
        _survey, first = services.answer_survey(ticket.pk, actor=actor, **form.cleaned_data)
    except TicketNotFound:
        raise Http404 from None
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return _again(request, number, form, 409, str(exc))
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _again(request, number, form, 400)
    closed = first and ticket.state == TicketState.VERIFIED
    if closed:
        messages.success(request, _("Thank you for your feedback. The ticket is now closed."))
    elif first:
        messages.success(request, _("Thank you for your feedback."))
    else:
        messages.success(request, _("Your answer was changed."))
    return redirect(reverse("tickets:detail", kwargs={"number": ticket.number}) + ANCHOR)

"""The post-incident review page: what happened (the generated timeline, time to restore
and to resolve), the root cause, and the actions with their owners and due dates.

Every member of staff reads it; the commander and tech leads write it once the incident
is resolved (writing it marks the incident reviewed); an action's owner marks their own
action done. Plain forms post here; success goes back to the page, a refusal re-renders it
with the error beside its field (400) or above the page (409); a requester gets 403, an
unknown incident or action 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incidents import review, selectors
from incidents.forms_review import ActionForm, DoneForm, ReviewForm
from incidents.models import MajorIncident, ReviewAction
from sla.display import duration_text
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.views.common import run_form, signed_in_user


def _page_url(incident: MajorIncident, anchor: str = "") -> str:
    url = reverse("incidents:review", kwargs={"number": incident.number})
    return f"{url}#{anchor}" if anchor else url


def _durations(incident: MajorIncident) -> dict[str, str]:
    found = review.durations(incident)
    return {
        name: duration_text(int(value.total_seconds())) if value is not None else ""
        for name, value in found.items()
    }


def review_context(
    request: HttpRequest,
    incident: MajorIncident,
    *,
    review_form: ReviewForm | None = None,
    add_form: ActionForm | None = None,
    failed_edit: tuple[int, ActionForm] | None = None,
    error: str = "",
) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries whatever the incident's size
    (the timeline's five, the review and its actions, the owners offered)."""
    user = signed_in_user(request)
    found = review.review_of(incident)
    may_write = review.may_write(incident, user)
    reviewable = incident.status in review.REVIEWABLE
    editing = may_write and reviewable
    owners = list(review.action_owners()) if editing and found is not None else []
    today = timezone.localdate()
    actions = []
    for action in found.actions.all() if found is not None else []:
        edit_form = failed_edit[1] if failed_edit and failed_edit[0] == action.pk else None
        actions.append(
            {
                "action": action,
                "overdue": action.done_at is None and action.due_on < today,
                "may_done": reviewable and review.may_mark_done(incident, action, user),
                "edit_form": edit_form,
            }
        )
    if review_form is None and editing:
        review_form = ReviewForm(
            initial={"root_cause": found.root_cause, "summary": found.summary} if found else None
        )
    return {
        "incident": incident,
        "entries": review.timeline(incident),
        "durations": _durations(incident),
        "review": found,
        "actions": actions,
        "may_write": may_write,
        "reviewable": reviewable,
        "editing": editing,
        "review_form": review_form,
        "add_form": add_form,
        "owners": owners,
        "description_max": max_length(ReviewAction, "description"),
        "description_hint": ActionForm.base_fields["description"].help_text,
        "today": today,
        "error": error,
    }


def _incident(request: HttpRequest, number: str) -> MajorIncident:
    return selectors.incident_for(signed_in_user(request), number)


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the page. POST: write (or rewrite) the root cause and summary."""
    incident = _incident(request, number)
    if request.method == "GET":
        return render(request, "incidents/review.html", review_context(request, incident))
    user = signed_in_user(request)
    if not review.may_write(incident, user):  # before the input: 403, not 400
        raise PermissionDenied(_("Only the incident's commander or a tech lead writes its review."))
    form = ReviewForm(request.POST)
    return _act(
        request,
        incident,
        form,
        "review_form",
        lambda data: review.write_review(
            incident.pk, actor=user, root_cause=data["root_cause"], summary=data["summary"]
        ),
        _("Review saved: the incident is reviewed."),
        "review",
    )


@login_required
@require_POST
def action_add(request: HttpRequest, number: str) -> HttpResponse:
    incident = _incident(request, number)
    user = signed_in_user(request)
    if not review.may_write(incident, user):
        raise PermissionDenied(_("Only the incident's commander or a tech lead adds actions."))
    form = ActionForm(request.POST)
    return _act(
        request,
        incident,
        form,
        "add_form",
        lambda data: review.add_action(
            incident.pk,
            actor=user,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        ),
        _("Action added."),
        "actions",
    )


@login_required
@require_POST
def action_edit(request: HttpRequest, number: str, action_id: int) -> HttpResponse:
    incident = _incident(request, number)
    user = signed_in_user(request)
    review.action_of(incident, action_id)  # 404 before anything else
    if not review.may_write(incident, user):
        raise PermissionDenied(_("Only the incident's commander or a tech lead changes actions."))
    form = ActionForm(request.POST, prefix_id=f"action{action_id}")
    return _act(
        request,
        incident,
        form,
        "failed_edit",
        lambda data: review.update_action(
            incident.pk,
            action_id,
            actor=user,
            changes={k: data[k] for k in ("description", "owner", "due_on")},
        ),
        _("Action changed."),
        "actions",
        action_id=action_id,
    )


@login_required
@require_POST
def action_done(request: HttpRequest, number: str, action_id: int) -> HttpResponse:
    """Mark an action done (``done=1``) or not done again (``done=0``)."""
    incident = _incident(request, number)
    user = signed_in_user(request)
    if not review.may_mark_done(incident, review.action_of(incident, action_id), user):
        raise PermissionDenied(_("Only the action's owner, the commander or a tech lead marks it."))
    form = DoneForm(request.POST)
    if not form.is_valid():
        # Nothing to show beside a button: the page says what was wrong.
        return _rerender(request, incident, {}, 400, _("Say whether the action is done."))
    try:
        action = review.update_action(
            incident.pk, action_id, actor=user, changes={"done": form.cleaned_data["done"]}
        )
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return _rerender(request, incident, {}, 409, str(exc))
    except ValidationError as exc:
        return _rerender(request, incident, {}, 400, " ".join(exc.messages))
    done = _("Action marked done.") if action.done_at else _("Action marked not done.")
    messages.success(request, done)
    return redirect(_page_url(incident, f"action-{action.pk}"))


def _rerender(
    request: HttpRequest, incident: MajorIncident, forms: dict[str, Any], status: int, error: str
) -> HttpResponse:
    context = review_context(request, incident, error=error, **forms)
    return render(request, "incidents/review.html", context, status=status)


def _act(
    request: HttpRequest,
    incident: MajorIncident,
    form: StyledForm,
    form_key: str,
    run: Callable[[dict[str, Any]], object],
    success: str,
    anchor: str,
    *,
    action_id: int | None = None,
) -> HttpResponse:
    """Run one review service with the form's data; on refusal re-render the page."""
    refused = run_form(form, run)
    if refused is None:
        messages.success(request, success)
        return redirect(_page_url(incident, anchor))
    value: Any = (action_id, form) if form_key == "failed_edit" else form
    return _rerender(request, incident, {form_key: value}, refused.status, refused.error)

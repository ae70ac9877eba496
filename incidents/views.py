"""Pages of major incidents: the list, the declaration form, the live page and its actions.

* ``/incidents/`` — open incidents first, then the rest, newest first.
* ``/incidents/new/`` (``?ticket=IT-…`` to declare from a ticket) — the declaration form.
* ``/incidents/<number>/`` — the live page for the task force: status and clocks (the
  task-force countdown, the next report), the members, status notes, the restoration, the
  linked tickets and the reports timeline. It refreshes itself every 15 s in two parts
  (``?part=summary`` and ``?part=body``, the same partials the page includes), leaving
  the forms alone so nobody loses what they are typing.
* POST ``…/members/``, ``…/status/``, ``…/restore/``, ``…/link/`` run one service each and
  come back to the live page; refusals re-render it with the error beside its field (400),
  a wrong status is a 409, a wrong role a 403.

Requesters get 403 everywhere here: they read an incident's notice on their own tickets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from incidents import clocks, permissions, selectors, services
from incidents.choices import OPEN_STATUSES, REPORTING_STATUSES, IncidentStatus, MemberRole
from incidents.forms import DeclareForm, LinkForm, MemberForm, RestoreForm, StatusForm
from incidents.models import MajorIncident
from notifications import services as notification_services
from sla.display import duration_text
from tickets.errors import ActionForbidden
from tickets.forms import StyledForm, add_errors
from tickets.selectors import tickets_visible_to
from tickets.views.common import is_partial, run_form, signed_in_user, vary_on_htmx

PAGE_SIZE = 50
IMPACT_PREFILL = 1_000  # characters of the ticket's description offered as the impact
LINKED_SHOWN = 50
REFRESH_SECONDS = 15
PARTS = {"summary": "incidents/partials/_summary.html", "body": "incidents/partials/_body.html"}


def _reader(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not permissions.can_read(user):
        raise PermissionDenied(_("Major incidents are for the service desk and management."))
    return user


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    rows = selectors.incidents_for(user).annotate(linked_count=Count("links"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "incidents",
        "page": page,
        "may_declare": permissions.can_declare(user),
        "open_statuses": OPEN_STATUSES,
    }
    return render(request, "incidents/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if not permissions.can_declare(user):
        raise PermissionDenied(_("Engineers and tech leads declare major incidents."))
    number = request.GET.get("ticket", "") or request.POST.get("ticket", "")
    ticket = tickets_visible_to(user).filter(number=number[:32]).first() if number else None
    status = 200
    if request.method == "POST":
        form = DeclareForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.declare(
                    actor=user,
                    title=data["title"],
                    impact=data["impact"],
                    commander=data["commander"],
                    ticket=ticket,
                    affected_services=data["affected_services"],
                    sites=list(data["sites"]),
                    stakeholders=data["stakeholders"],
                )
            except ActionForbidden as exc:
                raise PermissionDenied(str(exc)) from None
            except ValidationError as exc:
                add_errors(form, exc.message_dict)
            else:
                messages.success(
                    request,
                    _(
                        "Major incident %(number)s declared: the task force is due within "
                        "10 minutes."
                    )
                    % {"number": incident.number},
                )
                return redirect("incidents:live", number=incident.number)
        status = 400
    else:
        initial: dict[str, Any] = {}
        if ticket is not None:
            initial = {
                "title": ticket.title,
                "impact": ticket.impact_scope or ticket.description[:IMPACT_PREFILL],
                "affected_services": ticket.affected_system,
                "ticket": ticket.number,
            }
        form = DeclareForm(initial=initial)
    if not permissions.can_command(user):  # an engineer names the tech lead who commands
        form.fields["commander"].empty_label = _("Choose a tech lead")  # type: ignore[attr-defined]
    context = {
        "nav": "incidents",
        "form": form,
        "ticket": ticket,
        "is_lead": permissions.can_command(user),
    }
    return render(request, "incidents/new.html", context, status=status)


# --- the live page --------------------------------------------------------------------------


def _clock_context(incident: MajorIncident, now: dt.datetime) -> dict[str, Any]:
    """The countdowns and durations, in words, for the summary."""
    reporting = incident.status in REPORTING_STATUSES
    next_report = None
    if reporting:
        next_report = clocks.slot_after(
            incident.declared_at, max(now, clocks.previous_slot(incident))
        )
    left = int((incident.task_force_due_at - now).total_seconds())
    restore_end = incident.restored_at or now
    resolve_end = incident.resolved_at or now
    return {
        "now": now,
        "reporting": reporting,
        "next_report_at": next_report,
        "next_report_in": duration_text(int((next_report - now).total_seconds()))
        if next_report
        else "",
        "task_force_pending": clocks.task_force_pending(incident),
        "task_force_late": clocks.task_force_pending(incident) and left <= 0,
        "task_force_left": duration_text(left) if left > 0 else "",
        "task_force_late_by": duration_text(-left) if left <= 0 else "",
        "time_to_restore": duration_text(int((restore_end - incident.declared_at).total_seconds())),
        "time_to_resolve": duration_text(int((resolve_end - incident.declared_at).total_seconds())),
    }


def _status_form(posted: StyledForm | None, incident: MajorIncident) -> StatusForm:
    """The status note form offering the current status and the later ones (a form posted
    with a refused status comes back with the same offer)."""
    if isinstance(posted, StatusForm):
        posted.offer(incident.status)
        return posted
    return StatusForm(current=incident.status)


def live_context(
    request: HttpRequest, incident: MajorIncident, **forms: StyledForm | None
) -> dict[str, Any]:
    """Everything the live page shows, in a fixed number of queries."""
    user = signed_in_user(request)
    members = list(selectors.members_of(incident))
    is_member = any(m.user_id == user.pk for m in members)
    linked = selectors.linked_tickets_for(user, incident)
    may_steer = permissions.can_steer(incident, user)
    is_open = incident.status in OPEN_STATUSES
    may_write = is_open and permissions.can_post_status(incident, user, is_member=is_member)
    return {
        "nav": "incidents",
        "incident": incident,
        "members": members,
        "notes": list(selectors.notes_of(incident).order_by("-created_at", "-pk")),
        "reports": list(reversed(selectors.report_timeline(incident))),
        "linked": list(linked[:LINKED_SHOWN]),
        "linked_count": linked.count(),
        "linked_shown": LINKED_SHOWN,
        "sites": list(incident.sites.all()),
        "clock": _clock_context(incident, timezone.now()),
        "is_open": is_open,
        "may_steer": may_steer and is_open,
        "may_write": may_write,
        "may_restore": may_write and incident.status in REPORTING_STATUSES,
        "may_link": is_open and permissions.can_link(user),
        "may_join": is_open and not is_member and permissions.can_work(user) and not may_steer,
        "refresh_seconds": REFRESH_SECONDS,
        "member_form": forms.get("member_form")
        or (MemberForm() if may_steer and is_open else None),
        "status_form": _status_form(forms.get("status_form"), incident) if may_write else None,
        "restore_form": forms.get("restore_form") or RestoreForm(),
        "link_form": forms.get("link_form") or LinkForm(),
        "statuses": IncidentStatus,
        "roles": MemberRole,
    }


@login_required
@require_GET
@vary_on_htmx
def live(request: HttpRequest, number: str) -> HttpResponse:
    user = _reader(request)
    incident = selectors.incident_for(user, number)
    context = live_context(request, incident)
    part = request.GET.get("part", "")
    if is_partial(request) and part in PARTS:
        return render(request, PARTS[part], context)
    notification_services.mark_read_for_link(user, reverse("incidents:live", args=[number]))
    return render(request, "incidents/detail.html", context)


Runner = Callable[[User, MajorIncident, dict[str, Any]], str]


def _act(
    request: HttpRequest, number: str, form: StyledForm, form_key: str, run: Runner
) -> HttpResponse:
    """Run one service for a POSTed form; on failure re-render the live page with the error
    (400 beside the field, 409 for a wrong status, 403 for a wrong role)."""
    user = _reader(request)
    incident = selectors.incident_for(user, number)
    done: list[str] = []
    refused = run_form(form, lambda data: done.append(run(user, incident, data)))
    if refused is None:
        messages.success(request, done[0])
        url = reverse("incidents:live", kwargs={"number": incident.number})
        if is_partial(request):
            return HttpResponseClientRedirect(url)
        return redirect(url)
    incident = selectors.incident_for(user, number)
    context = live_context(request, incident, **{form_key: form})
    context["action_error"] = refused.error
    return render(request, "incidents/detail.html", context, status=refused.status)


def _check_worker(request: HttpRequest) -> None:
    if not permissions.can_work(signed_in_user(request)):
        raise PermissionDenied(_("Engineers and tech leads work major incidents."))


@login_required
@require_POST
def add_member(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request)
    _check_worker(request)
    user = signed_in_user(request)
    data = request.POST.copy()
    if data.get("join"):  # "Join the task force": oneself, as an engineer
        data["user"], data["role"] = str(user.pk), MemberRole.ENGINEER

    def run(actor: User, incident: MajorIncident, cleaned: dict[str, Any]) -> str:
        member = services.add_member(
            incident.pk, actor=actor, user=cleaned["user"], role=cleaned["role"]
        )
        return _("%(name)s is on the task force (%(role)s).") % {
            "name": member.user.name,
            "role": MemberRole(member.role).label,
        }

    return _act(request, number, MemberForm(data), "member_form", run)


@login_required
@require_POST
def post_status(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request)
    _check_worker(request)

    def run(actor: User, incident: MajorIncident, cleaned: dict[str, Any]) -> str:
        services.post_status(
            incident.pk,
            actor=actor,
            status=cleaned["status"],
            note=cleaned["note"],
            next_steps=cleaned["next_steps"],
        )
        return _("Status note posted.")

    # Every status is accepted here (the page offers only the current and later ones): the
    # service answers a status going backwards with a 409, like the API.
    return _act(request, number, StatusForm(request.POST), "status_form", run)


@login_required
@require_POST
def restore(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request)
    _check_worker(request)

    def run(actor: User, incident: MajorIncident, cleaned: dict[str, Any]) -> str:
        services.record_restoration(incident.pk, actor=actor, restoration=cleaned["restoration"])
        return _("Service restored: the reports stop and the requesters are told.")

    return _act(request, number, RestoreForm(request.POST), "restore_form", run)


@login_required
@require_POST
def link(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request)
    _check_worker(request)

    def run(actor: User, incident: MajorIncident, cleaned: dict[str, Any]) -> str:
        linked = services.link_tickets(incident.pk, actor=actor, numbers=cleaned["tickets"])
        if not linked:
            return _("Those tickets were linked already.")
        return ngettext("%(n)d ticket linked.", "%(n)d tickets linked.", len(linked)) % {
            "n": len(linked)
        }

    return _act(request, number, LinkForm(request.POST), "link_form", run)

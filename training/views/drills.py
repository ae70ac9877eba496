"""Drills: the list (the team's queue to score, or the engineer's own), building one from a
ticket, and a drill's page.

The engineer's page never shows the ticket: before they start, only the category and the
time limit; once started, the symptom, scenario and the files the lead picked, with the
deadline as a countdown (``training/drill.js``; the time is also written out for readers
without JavaScript), and the answer form; once scored, the score, the notes and what
really solved the ticket beside their answer. Tech leads and managers see the engineer's
answer and the ticket's root cause, plan and solution side by side; tech leads score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from sla.display import duration_text
from tickets import permissions as ticket_permissions
from tickets.attachments import clean_filename
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.forms import add_errors
from tickets.models import Attachment, Ticket
from tickets.services import record_download
from training import permissions, selectors
from training.choices import OPEN_DRILL, DrillStatus
from training.errors import FileNotFound
from training.forms import AnswerForm, DrillForm, DrillTicketForm, ScoreForm
from training.models import Drill
from training.services import drills as services
from training.views.common import PAGE_SIZE, manager, member, protect, tabs

# tab -> (label, who sees it: "team" or "mine", the rows)
TEAM_TABS = {
    "to_score": (gettext_lazy("To score"), Q(status=DrillStatus.ANSWERED)),
    "in_progress": (gettext_lazy("Not answered yet"), Q(status__in=OPEN_DRILL)),
    "scored": (gettext_lazy("Scored"), Q(status=DrillStatus.SCORED)),
    "withdrawn": (gettext_lazy("Withdrawn"), Q(status=DrillStatus.WITHDRAWN)),
}
MINE_TABS = {
    "mine_open": (gettext_lazy("To answer"), Q(status__in=OPEN_DRILL)),
    "mine_answered": (gettext_lazy("Answered"), Q(status=DrillStatus.ANSWERED)),
    "mine_scored": (gettext_lazy("Scored"), Q(status=DrillStatus.SCORED)),
    "mine_withdrawn": (gettext_lazy("Withdrawn"), Q(status=DrillStatus.WITHDRAWN)),
}
# Tabs shown only when they hold a drill (most teams never withdraw one).
WHEN_ANY = frozenset({"withdrawn", "mine_withdrawn"})
ORDER = {
    "to_score": ["answered_at", "pk"],
    "mine_answered": ["-answered_at", "-pk"],
    "scored": ["-assessment__assessed_at", "-pk"],
    "mine_scored": ["-assessment__assessed_at", "-pk"],
    "withdrawn": ["-withdrawn_at", "-pk"],
    "mine_withdrawn": ["-withdrawn_at", "-pk"],
}


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    count: int
    url: str


@dataclass(frozen=True)
class DrillRow:
    """A drill as a list shows it to this reader: the symptom only once it may be read."""

    drill: Drill
    shows_symptom: bool
    shows_key: bool


def shows_symptom(drill: Drill, user: User) -> bool:
    """To its engineer once they started it (a drill withdrawn before that never shows
    it); to the team's readers always."""
    if permissions.is_drills_engineer(drill, user):
        return drill.started_at is not None
    return permissions.reads_everything(user)


def _tabs(user: User, rows: QuerySet[Drill]) -> list[Tab]:
    team = permissions.reads_everything(user)
    mine_q = Q(engineer_id=user.pk)
    counts = rows.aggregate(
        **{key: Count("pk", filter=q) for key, (_label, q) in TEAM_TABS.items()} if team else {},
        **{key: Count("pk", filter=mine_q & q) for key, (_label, q) in MINE_TABS.items()},
    )
    base = reverse("training:drills")
    shown = []
    if team:
        shown += [
            Tab(k, label, counts[k], f"{base}?tab={k}") for k, (label, _q) in TEAM_TABS.items()
        ]
    if not team or any(counts[k] for k in MINE_TABS):
        shown += [
            Tab(k, label, counts[k], f"{base}?tab={k}") for k, (label, _q) in MINE_TABS.items()
        ]
    return [t for t in shown if t.count or t.key not in WHEN_ANY]


@login_required
@require_GET
def drill_list(request: HttpRequest) -> HttpResponse:
    user = member(request)
    rows = selectors.drill_rows(user)
    shown = _tabs(user, selectors.drills_visible_to(user))
    keys = [t.key for t in shown]
    asked = request.GET.get("tab", "")
    current = asked if asked in keys else keys[0]
    q = {**TEAM_TABS, **MINE_TABS}[current][1]
    if current.startswith("mine_"):
        q &= Q(engineer_id=user.pk)
    wanted = rows.filter(q).order_by(*ORDER.get(current, ["-created_at", "-pk"]))
    page = Paginator(wanted, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **tabs(user, "drills"),
        "tabs": shown,
        "current": current,
        "query": f"tab={current}",
        "page": page,
        "rows": [
            DrillRow(d, shows_symptom(d, user), permissions.sees_answer_key(d, user))
            for d in page.object_list
        ],
        "can_manage": permissions.can_manage(user),
    }
    return render(request, "training/drills.html", context)


def _new_page(
    request: HttpRequest, user: User, form: DrillTicketForm, ticket: Ticket | None, status: int
) -> HttpResponse:
    context = {**tabs(user, "drills"), "form": form, "ticket": ticket}
    return render(request, "training/drill_form.html", context, status=status)


def _ticket_or_errors(user: User, form: DrillTicketForm, number: str) -> Ticket | None:
    try:
        return services.drill_ticket(user, number)
    except ValidationError as exc:
        add_errors(form, exc.message_dict)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def drill_new(request: HttpRequest) -> HttpResponse:
    """Step one asks for a ticket number (or comes from the ticket's "make a drill" link);
    step two is the drill, filled from the ticket."""
    user = manager(request)
    data = request.POST if request.method == "POST" else request.GET
    number = str(data.get("ticket") or "").strip()
    if not number:
        return _new_page(
            request, user, DrillTicketForm(), None, 200 if request.method == "GET" else 400
        )
    step_one = DrillTicketForm(data)
    ticket = _ticket_or_errors(user, step_one, number) if step_one.is_valid() else None
    if ticket is None:
        return _new_page(request, user, step_one, None, 400)
    files = services.offered_files(ticket)
    if request.method == "GET":
        form = DrillForm(
            initial={
                "ticket": ticket.number,
                "title": ticket.title,
                "symptom": ticket.description,
                "scenario": services.default_scenario(ticket),
                "attachments": services.default_files(ticket),
                "time_limit_minutes": 30,
            },
            files=files,
        )
        return _new_page(request, user, form, ticket, 200)
    form = DrillForm(request.POST, files=files)
    if form.is_valid():
        try:
            drill = services.create_drill(actor=user, **form.cleaned_data)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except ValidationError as exc:
            add_errors(form, exc.message_dict)
        else:
            messages.success(
                request,
                _("Drill %(number)s is ready; %(name)s has been told.")
                % {"number": drill.number, "name": drill.engineer.name},
            )
            return redirect("training:drill", drill.pk)
    return _new_page(request, user, form, ticket, 400)


def _drill_page(
    request: HttpRequest,
    user: User,
    drill: Drill,
    *,
    answer_form: AnswerForm | None = None,
    score_form: ScoreForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    is_engineer = permissions.is_drills_engineer(drill, user)
    symptom = shows_symptom(drill, user)
    key = selectors.answer_key(drill) if permissions.sees_answer_key(drill, user) else None
    can_answer = is_engineer and drill.status == DrillStatus.STARTED
    can_score = permissions.can_score(drill, user) and drill.status == DrillStatus.ANSWERED
    can_withdraw = permissions.can_withdraw(drill, user) and drill.status in OPEN_DRILL
    late_by = ""
    if drill.is_late and drill.answered_at and drill.deadline_at:
        late_by = duration_text(int((drill.answered_at - drill.deadline_at).total_seconds()))
    context = {
        **tabs(user, "drills"),
        "drill": drill,
        "is_engineer": is_engineer,
        "shows_symptom": symptom,
        "files": list(drill.attachments.only("pk", "original_name", "size")) if symptom else [],
        "key": key,
        # The ticket's page, only to those who may open it, only beside the answer key.
        "ticket_link": key is not None and ticket_permissions.can_view(drill.ticket, user),
        "answer_form": (answer_form or AnswerForm()) if can_answer else None,
        "score_form": (score_form or ScoreForm()) if can_score else None,
        "can_withdraw": can_withdraw,
        "late_by": late_by,
        "overdue": can_answer
        and drill.deadline_at is not None
        and timezone.now() > drill.deadline_at,
        "error": error,
    }
    return render(request, "training/drill.html", context, status=status)


@login_required
@require_GET
def drill_detail(request: HttpRequest, drill_id: int) -> HttpResponse:
    user = member(request)
    return _drill_page(request, user, selectors.get_drill_for(user, drill_id))


def _run(
    request: HttpRequest, drill_id: int, run: Any, form: Any = None, form_name: str = ""
) -> HttpResponse:
    """Run a drill service with the form's data: done → back to the drill; refused → the
    drill page again with the error (403 raised, 409 at the top, 400 beside the field)."""
    user = member(request)
    drill = selectors.get_drill_for(user, drill_id)
    if form is not None and not form.is_valid():
        return _drill_page(request, user, drill, **{form_name: form}, status=400)
    try:
        run(user, form.cleaned_data if form is not None else {})
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        fresh = selectors.get_drill_for(user, drill_id)
        return _drill_page(request, user, fresh, error=str(exc), status=409)
    except ValidationError as exc:
        add_errors(form, exc.message_dict)
        return _drill_page(request, user, drill, **{form_name: form}, status=400)
    return redirect("training:drill", drill.pk)


@login_required
@require_POST
def drill_start(request: HttpRequest, drill_id: int) -> HttpResponse:
    return _run(request, drill_id, lambda user, _data: services.start_drill(drill_id, actor=user))


@login_required
@require_POST
def drill_answer(request: HttpRequest, drill_id: int) -> HttpResponse:
    def run(user: User, data: dict[str, Any]) -> None:
        services.answer_drill(drill_id, actor=user, **data)
        messages.success(request, _("Answer sent. A tech lead will score it."))

    return _run(request, drill_id, run, AnswerForm(request.POST), "answer_form")


@login_required
@require_POST
def drill_score(request: HttpRequest, drill_id: int) -> HttpResponse:
    def run(user: User, data: dict[str, Any]) -> None:
        drill = services.score_drill(drill_id, actor=user, **data)
        messages.success(
            request, _("Drill scored; %(name)s has been told.") % {"name": drill.engineer.name}
        )

    return _run(request, drill_id, run, ScoreForm(request.POST), "score_form")


@login_required
@require_POST
def drill_withdraw(request: HttpRequest, drill_id: int) -> HttpResponse:
    def run(user: User, _data: dict[str, Any]) -> None:
        drill = services.withdraw_drill(drill_id, actor=user)
        messages.success(
            request,
            _("Drill withdrawn; %(name)s has been told.") % {"name": drill.engineer.name},
        )

    return _run(request, drill_id, run)


@login_required
@require_GET
def drill_file(request: HttpRequest, drill_id: int, attachment_id: int) -> FileResponse:
    """One of the files the drill shows, once its engineer has started it; as a download,
    named as uploaded, never by the ticket."""
    user = member(request)
    drill = selectors.get_drill_for(user, drill_id)
    if not shows_symptom(drill, user):
        raise FileNotFound
    attachment = (
        Attachment.objects.select_related("ticket")
        .filter(pk=attachment_id, pk__in=drill.attachments.values("pk"))
        .first()
    )
    if attachment is None:
        raise FileNotFound
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    record_download(attachment, actor=user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=clean_filename(attachment.original_name),
        content_type=attachment.content_type or "application/octet-stream",
    )
    protect(response)
    return response

"""Training sessions: the calendar (upcoming and past, by month), a session's page
(attendees and attendance, materials, assessments), planning and editing.

Everyone on the staff opens ``/training/``: tech leads and managers see every session,
an engineer the ones they attend or give. Tech leads plan, edit, add files and record
assessments; the trainer (or a tech lead) records attendance once the session has begun.
A refused post shows the page again with the error beside its field (400) or at the top
(409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from tickets.attachments import clean_filename
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.forms import add_errors
from training import permissions, selectors
from training.choices import AttendanceStatus
from training.errors import FileNotFound
from training.forms import (
    AssessmentForm,
    AttendanceForm,
    CancelSessionForm,
    MaterialsForm,
    SessionForm,
)
from training.models import Material, TrainingSession
from training.services import assessments as assessment_services
from training.services import materials as material_services
from training.services import sessions as session_services
from training.views.common import PAGE_SIZE, manager, member, protect, tabs

UPCOMING_MAX = 200


def by_month(sessions: Iterable[TrainingSession]) -> list[tuple[dt.date, list[TrainingSession]]]:
    """Sessions grouped by the month they start in, in the reader's zone, in their order."""
    groups: dict[dt.date, list[TrainingSession]] = {}
    for session in sessions:
        month = timezone.localtime(session.starts_at).date().replace(day=1)
        groups.setdefault(month, []).append(session)
    return list(groups.items())


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    user = member(request)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = selectors.session_rows(user)
    upcoming = list(rows.filter(starts_at__gte=today).order_by("starts_at", "pk")[:UPCOMING_MAX])
    past = Paginator(rows.filter(starts_at__lt=today).order_by("-starts_at", "-pk"), PAGE_SIZE)
    page = past.get_page(request.GET.get("page"))
    context = {
        **tabs(user, "sessions"),
        "upcoming": by_month(upcoming),
        "past": by_month(page.object_list),
        "page": page,
        "can_manage": permissions.can_manage(user),
    }
    return render(request, "training/list.html", context)


def _service_data(data: dict[str, Any]) -> dict[str, Any]:
    """The form's data as the service takes it."""
    return {**data, "attendees": list(data.get("attendees") or [])}


def _saved(
    form: SessionForm, run: Callable[[dict[str, Any]], TrainingSession]
) -> TrainingSession | None:
    try:
        return run(_service_data(form.cleaned_data))
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:  # cancelled meanwhile
        form.add_error(None, str(exc))
        return None
    except ValidationError as exc:
        add_errors(form, exc.message_dict)
        return None


def _cancelled() -> str:
    return _("This training is cancelled.")


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    user = manager(request)
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            created = _saved(form, lambda data: session_services.create_session(actor=user, **data))
            if created is not None:
                messages.success(
                    request, _("Training planned: %(title)s.") % {"title": created.title}
                )
                return redirect("training:session", created.pk)
        status = 400
    else:
        form = SessionForm(initial={"trainer": user.pk})
    context = {**tabs(user, "sessions"), "form": form, "session": None}
    return render(request, "training/session_form.html", context, status=status)


def _initial(session: TrainingSession) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": session.title,
        "kind": session.kind,
        "starts_at": timezone.localtime(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "location": session.location,
        "trainer": session.trainer_id,
        "attendees": [a.engineer_id for a in selectors.attendance_of(session)],
        "pass_mark": session.pass_mark,
        "articles": ", ".join(str(pk) for pk in session.articles.values_list("pk", flat=True)),
        "description": session.description,
    }
    for n, skill in enumerate(selectors.skills_of(session), start=1):
        initial[f"skill_{n}_category"] = skill.category.slug
        initial[f"skill_{n}_level"] = skill.level
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    user = manager(request)
    session = selectors.get_session_for(user, session_id)
    if session.is_cancelled:
        return _session_page(request, user, session, error=_cancelled(), status=409)
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            saved = _saved(
                form,
                lambda data: session_services.update_session(session.pk, actor=user, changes=data),
            )
            if saved is not None:
                messages.success(request, _("Training saved: %(title)s.") % {"title": saved.title})
                return redirect("training:session", saved.pk)
        status = 400
    else:
        form = SessionForm(initial=_initial(session))
    context = {**tabs(user, "sessions"), "form": form, "session": session}
    return render(request, "training/session_form.html", context, status=status)


def _session_page(
    request: HttpRequest,
    user: User,
    session: TrainingSession,
    *,
    attendance_form: AttendanceForm | None = None,
    assessment_form: AssessmentForm | None = None,
    cancel_form: CancelSessionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    attendance = selectors.attendance_of(session)
    reads_all = permissions.reads_everything(user)
    open_ = not session.is_cancelled  # a cancelled session takes nothing more
    can_record = permissions.can_record_attendance(session, user) and open_
    can_manage = permissions.can_manage(user)
    started = session.starts_at <= timezone.now()
    assessments = list(
        selectors.assessment_rows(user).filter(session=session).order_by("-assessed_at", "-pk")
    )
    # Cancelled only while nothing shows it took place (``cancel_session`` says so too).
    took_place = bool(assessments) or any(a.status != AttendanceStatus.INVITED for a in attendance)
    can_cancel = can_manage and open_ and not took_place
    if attendance_form is None and can_record and started:
        attendance_form = AttendanceForm(attendees=attendance)
    if assessment_form is None and can_manage and open_:
        assessment_form = AssessmentForm(session=session)
    context = {
        **tabs(user, "sessions"),
        "session": session,
        "attendance": attendance
        if (reads_all or can_record)
        else [a for a in attendance if a.engineer_id == user.pk],
        "attendee_count": len(attendance),
        "skills": selectors.skills_of(session),
        "articles": selectors.articles_of(session, user),
        "files": list(Material.objects.filter(session=session).select_related("uploaded_by")),
        "assessments": assessments,
        "attendance_form": attendance_form if can_record else None,
        "started": started,
        "assessment_form": assessment_form if can_manage and open_ else None,
        "files_form": MaterialsForm() if can_manage and open_ else None,
        "can_manage": can_manage,
        "can_edit": can_manage and open_,
        "cancel_form": (cancel_form or CancelSessionForm()) if can_cancel else None,
        "error": error,
    }
    return render(request, "training/session.html", context, status=status)


@login_required
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user = member(request)
    return _session_page(request, user, selectors.get_session_for(user, session_id))


@login_required
@require_POST
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    user = member(request)
    session = selectors.get_session_for(user, session_id)
    if not permissions.can_record_attendance(session, user):
        raise PermissionDenied(_("The trainer or a tech lead records attendance."))
    form = AttendanceForm(request.POST, attendees=selectors.attendance_of(session))
    if form.is_valid():
        try:
            session_services.record_attendance(session.pk, actor=user, marks=form.marks())
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            return _session_page(request, user, session, error=str(exc), status=409)
        except ValidationError as exc:
            return _session_page(
                request,
                user,
                session,
                attendance_form=form,
                error=" ".join(exc.messages),
                status=400,
            )
        messages.success(request, _("Attendance recorded."))
        return redirect(reverse("training:session", args=[session.pk]) + "#attendance")
    return _session_page(request, user, session, attendance_form=form, status=400)


@login_required
@require_POST
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    user = manager(request)
    session = selectors.get_session_for(user, session_id)
    form = CancelSessionForm(request.POST)
    if not form.is_valid():
        return _session_page(request, user, session, cancel_form=form, status=400)
    try:
        session_services.cancel_session(session.pk, actor=user, reason=form.cleaned_data["reason"])
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        fresh = selectors.get_session_for(user, session_id)
        return _session_page(request, user, fresh, error=str(exc), status=409)
    except ValidationError as exc:
        add_errors(form, exc.message_dict)
        return _session_page(request, user, session, cancel_form=form, status=400)
    messages.success(request, _("Training cancelled; its attendees have been told."))
    return redirect("training:session", session.pk)


@login_required
@require_POST
def session_assess(request: HttpRequest, session_id: int) -> HttpResponse:
    user = manager(request)
    session = selectors.get_session_for(user, session_id)
    if session.is_cancelled:
        return _session_page(request, user, session, error=_cancelled(), status=409)
    form = AssessmentForm(request.POST, session=session)
    if form.is_valid():
        try:
            done = assessment_services.record_assessment(
                actor=user, session=session.pk, **form.cleaned_data
            )
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except ValidationError as exc:
            add_errors(form, exc.message_dict)
        else:
            messages.success(request, _assessed_message(done.passed, len(done.skills_granted)))
            return redirect(reverse("training:session", args=[session.pk]) + "#assessments")
    return _session_page(request, user, session, assessment_form=form, status=400)


def _assessed_message(passed: bool, raised: int) -> str:
    if not passed:
        return _("Assessment recorded: below the pass mark.")
    if raised:
        return _("Assessment recorded: passed, skills raised.")
    return _("Assessment recorded: passed.")


@login_required
@require_POST
def session_files_add(request: HttpRequest, session_id: int) -> HttpResponse:
    user = manager(request)
    session = selectors.get_session_for(user, session_id)
    form = MaterialsForm(request.POST, request.FILES)
    refusals: list[str] = []
    stored: list[Material] = []
    if form.is_valid():
        try:
            stored = material_services.add_files(
                session.pk, actor=user, files=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            refusals = [m for found in exc.message_dict.values() for m in found]
    else:
        refusals = [str(m) for found in form.errors.values() for m in found]
    for refusal in refusals:
        messages.error(request, refusal)
    if not refusals:
        messages.success(request, _("%(count)d file(s) added.") % {"count": len(stored)})
    return redirect(reverse("training:session", args=[session.pk]) + "#materials")


def _material(user: User, session_id: int, material_id: int) -> Material:
    session = selectors.get_session_for(user, session_id)
    row = Material.objects.filter(session=session, pk=material_id).first()
    if row is None:
        raise FileNotFound
    return row


@login_required
@require_GET
def session_file(request: HttpRequest, session_id: int, material_id: int) -> FileResponse:
    row = _material(member(request), session_id, material_id)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=clean_filename(row.original_name),
        content_type=row.content_type or "application/octet-stream",
    )
    protect(response)
    return response


@login_required
@require_POST
def session_file_delete(request: HttpRequest, session_id: int, material_id: int) -> HttpResponse:
    user = manager(request)
    row = _material(user, session_id, material_id)
    material_services.remove_file(row.session_id, row.pk, actor=user)
    messages.success(request, _("File removed."))
    return redirect(reverse("training:session", args=[row.session_id]) + "#materials")

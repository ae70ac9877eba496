"""Assessments over time: the team's (tech leads and managers; ``?engineer=`` narrows to
one) or an engineer's own, newest first, with a form for tech leads to record a technical
or service score not tied to a session (a session's own are recorded on its page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tickets.errors import ActionForbidden
from tickets.forms import add_errors
from training import permissions, selectors
from training.forms import AssessmentForm
from training.services import assessments as services
from training.views.common import PAGE_SIZE, member, tabs


@login_required
@require_http_methods(["GET", "POST"])
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = member(request)
    can_manage = permissions.can_manage(user)
    form = AssessmentForm() if can_manage else None
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only tech leads record assessments."))
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.record_assessment(actor=user, **form.cleaned_data)
            except ActionForbidden as exc:
                raise PermissionDenied(str(exc)) from None
            except ValidationError as exc:
                add_errors(form, exc.message_dict)
            else:
                messages.success(request, _("Assessment recorded."))
                return redirect("training:assessments")
        status = 400
    rows = selectors.assessment_rows(user).order_by("-assessed_at", "-pk")
    engineer = (request.GET.get("engineer") or "").strip()[:150]
    if engineer and permissions.reads_everything(user):
        rows = rows.filter(engineer__username=engineer)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **tabs(user, "assessments"),
        "page": page,
        "engineer": engineer if permissions.reads_everything(user) else "",
        "query": urlencode({"engineer": engineer}) if engineer else "",
        "form": form,
    }
    return render(request, "training/assessments.html", context, status=status)

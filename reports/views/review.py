"""Pages of the weekly problem review: the list of reviews (newest first, with "generate
now"), a review's page (the pack, root causes and knowledge-base updates, improvement
actions, carried-over actions), and its buttons.

Readers: engineers, tech leads, managers, admins; writers: tech leads and admins
(``reports.review.access``). Plain forms post here; success redirects back to the page,
a refusal re-renders it with the error beside its field (400) or above it (409); a
requester gets 403, an unknown review or action 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from reports.models import ActionStatus, ImprovementAction, ProblemReview
from reports.review import access, selectors, services
from reports.review.forms import ActionForm, GenerateForm, ReviewForm
from reports.review.periods import desk_today, week_bounds
from reports.review.present import pack_for
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.limits import max_length
from tickets.views.common import run_form, signed_in_user

PAGE_SIZE = 20


def _reader(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not access.may_read_reviews(user):
        raise PermissionDenied(_("The weekly review is for the desk and management."))
    return user


def _editor(request: HttpRequest) -> User:
    user = _reader(request)
    if not access.may_edit_reviews(user):
        raise PermissionDenied(_("Only tech leads generate and write the weekly review."))
    return user


def _review(review_id: int) -> ProblemReview:
    found = ProblemReview.objects.filter(pk=review_id).first()
    if found is None:
        raise services.ReviewNotFound
    return found


def _page_url(review: ProblemReview, anchor: str = "") -> str:
    url = reverse("reports:review_detail", kwargs={"review_id": review.pk})
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    page = Paginator(selectors.review_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/review/list.html",
        {"page": page, "may_edit": access.may_edit_reviews(user), "nav": "reports"},
    )


@login_required
@require_POST
def review_generate(request: HttpRequest) -> HttpResponse:
    """Generate (or refresh) this week's or last week's review now; to its page."""
    user = _editor(request)
    form = GenerateForm(request.POST)
    back = request.POST.get("from") == "detail"
    error, status = "", 400
    if form.is_valid():
        try:
            review = services.generate_review(form.cleaned_data["week"], actor=user)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            error, status = str(exc), 409
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Review generated from the desk's data as it is now."))
            return redirect(_page_url(review))
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    chosen = form.cleaned_data.get("week") if form.is_valid() else None
    if back and chosen is not None:
        week = ProblemReview.objects.filter(week_start=chosen).first()
        if week is not None:
            return _rerender(request, week, {}, status, error)
    page = Paginator(selectors.review_list(), PAGE_SIZE).get_page(1)
    context = {"page": page, "may_edit": True, "nav": "reports", "error": error}
    return render(request, "reports/review/list.html", context, status=status)


def review_context(
    request: HttpRequest,
    review: ProblemReview,
    *,
    review_form: ReviewForm | None = None,
    add_form: ActionForm | None = None,
    failed_edit: tuple[int, ActionForm] | None = None,
    error: str = "",
) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries (the review, its actions,
    the carried-over actions, the owners offered to a writer)."""
    user = signed_in_user(request)
    may_edit = access.may_edit_reviews(user)
    editing = may_edit and review.is_open
    if review_form is None and editing:
        review_form = ReviewForm(
            initial={"root_causes": review.root_causes, "kb_updates": review.kb_updates}
        )
    today = desk_today()

    def rows(actions: list[ImprovementAction]) -> list[dict[str, Any]]:
        return [
            {
                "action": a,
                "overdue": a.status == ActionStatus.OPEN and a.due_on < today,
                "edit_form": failed_edit[1] if failed_edit and failed_edit[0] == a.pk else None,
            }
            for a in actions
        ]

    start, end = week_bounds(review.week_start)
    return {
        "review": review,
        "pack": pack_for(review.pack, user),
        "start": start,
        "end": end,
        "actions": rows(selectors.own_actions(review)),
        "carried": rows(selectors.carried_over(review)),
        "may_edit": may_edit,
        "editing": editing,
        "review_form": review_form,
        "add_form": add_form,
        "owners": list(services.action_owners()) if may_edit else [],
        "statuses": ActionStatus.choices,
        "description_max": max_length(ImprovementAction, "description"),
        "error": error,
        "nav": "reports",
    }


def _rerender(
    request: HttpRequest, review: ProblemReview, forms: dict[str, Any], status: int, error: str
) -> HttpResponse:
    context = review_context(request, review, error=error, **forms)
    return render(request, "reports/review/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    """GET: the review. POST: save the root causes and knowledge-base updates."""
    _reader(request)
    review = _review(review_id)
    if request.method == "GET":
        return render(request, "reports/review/detail.html", review_context(request, review))
    user = _editor(request)
    form = ReviewForm(request.POST)
    return _act(
        request,
        review,
        form,
        "review_form",
        lambda data: services.write_review(
            review.pk, actor=user, root_causes=data["root_causes"], kb_updates=data["kb_updates"]
        ),
        _("Root causes and knowledge-base updates saved."),
        "notes",
    )


@login_required
@require_POST
def review_close(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _editor(request)
    review = _review(review_id)
    try:
        services.close_review(review.pk, actor=user)
    except InvalidTransition as exc:
        return _rerender(request, review, {}, 409, str(exc))
    messages.success(request, _("Review closed. Its open actions carry over to the next one."))
    return redirect(_page_url(review))


@login_required
@require_POST
def review_action_add(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _editor(request)
    review = _review(review_id)
    form = ActionForm(request.POST)
    return _act(
        request,
        review,
        form,
        "add_form",
        lambda data: services.add_action(
            review.pk,
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
def review_action_edit(request: HttpRequest, review_id: int, review_action_id: int) -> HttpResponse:
    """Change an action shown on this review (its own or carried over)."""
    user = _editor(request)
    review = _review(review_id)
    services.action_on(review, review_action_id)  # 404 before the input
    form = ActionForm(request.POST, prefix_id=f"action{review_action_id}")

    def run(data: dict[str, Any]) -> object:
        changes = {k: data[k] for k in ("description", "owner", "due_on")}
        if data.get("status"):
            changes["status"] = data["status"]
        return services.update_action(review.pk, review_action_id, actor=user, changes=changes)

    return _act(
        request,
        review,
        form,
        "failed_edit",
        run,
        _("Action changed."),
        f"action-{review_action_id}",
        action_id=review_action_id,
    )


def _act(
    request: HttpRequest,
    review: ProblemReview,
    form: ReviewForm | ActionForm,
    form_key: str,
    run: Callable[[dict[str, Any]], object],
    success: str,
    anchor: str,
    *,
    action_id: int | None = None,
) -> HttpResponse:
    """Run one service with the form's data; on refusal re-render the page."""
    refused = run_form(form, run)
    if refused is None:
        messages.success(request, success)
        return redirect(_page_url(review, anchor))
    value: Any = (action_id, form) if form_key == "failed_edit" else form
    return _rerender(request, review, {form_key: value}, refused.status, refused.error)

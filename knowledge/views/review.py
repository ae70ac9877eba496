"""Reviewing articles: the tech leads' status actions and review page, the revision
history and the difference between two revisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from knowledge import diff, permissions, selectors
from knowledge.choices import ArticleStatus
from knowledge.errors import KnowledgeForbidden
from knowledge.forms import CompareForm, StatusForm
from knowledge.services import articles as article_services
from knowledge.views.articles import NAV
from tickets.errors import InvalidTransition
from tickets.views.common import signed_in_user

DONE = {
    "review": gettext_lazy("Marked as reviewed."),
    "publish": gettext_lazy("Published: it is now shown to its readers."),
    "confirm": gettext_lazy("Confirmed as still valid."),
    "archive": gettext_lazy("Archived."),
    "draft": gettext_lazy("Sent back to draft."),
}


@login_required
@require_POST
def article_status(request: HttpRequest, article_id: int) -> HttpResponse:
    """Approve (→ reviewed), publish, confirm, archive, back to draft: tech leads only."""
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    if not permissions.can_review(user):
        raise KnowledgeForbidden(_("Only tech leads review, publish or archive articles."))
    form = StatusForm(request.POST)
    target = reverse("knowledge:article", args=[article.pk])
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the article."))
        return redirect(target)
    try:
        article_services.change_status(
            article.pk,
            by=user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )
    except InvalidTransition as exc:
        return render(
            request,
            "knowledge/refused.html",
            {"article": article, "reason": str(exc), "nav": NAV},
            status=409,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect(target)
    messages.success(request, DONE[form.cleaned_data["action"]])
    return redirect(target)


@login_required
@require_GET
def review_page(request: HttpRequest) -> HttpResponse:
    """The tech leads' list: drafts to review, reviewed to publish, published ones to check
    again (poorly rated, stale, applying to a retired scenario)."""
    user = signed_in_user(request)
    if not permissions.can_review(user):
        raise KnowledgeForbidden(_("The review list is for tech leads."))
    return render(
        request,
        "knowledge/review.html",
        {"queue": selectors.review_queue(), "statuses": ArticleStatus, "nav": NAV},
    )


@login_required
@require_GET
def article_revisions(request: HttpRequest, article_id: int) -> HttpResponse:
    """Every revision of the article, newest first, two of them to compare. Requesters
    may read a published public article but not its drafts: the history is the staff's."""
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    if not selectors.reads_everything(user):
        raise KnowledgeForbidden(_("The history of an article is for the IT staff."))
    revisions = list(selectors.revisions_of(article).order_by("-number"))
    return render(
        request,
        "knowledge/revisions.html",
        {"article": article, "revisions": revisions, "nav": NAV},
    )


@login_required
@require_GET
def article_diff(request: HttpRequest, article_id: int) -> HttpResponse:
    """What changed from revision ``old`` to revision ``new`` (``?old=&new=``)."""
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    if not selectors.reads_everything(user):
        raise KnowledgeForbidden(_("The history of an article is for the IT staff."))
    form = CompareForm(request.GET)
    if not form.is_valid():
        # No or bad numbers: the latest change (the previous revision against the current).
        new = article.revision
        old = max(new - 1, 1)
    else:
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
    before, after = selectors.revision_pair(article, old, new)
    return render(
        request,
        "knowledge/diff.html",
        {
            "article": article,
            "old": before,
            "new": after,
            "fields": diff.diff_revisions(before, after),
            "nav": NAV,
        },
    )

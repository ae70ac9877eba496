"""Article pages: browse (by category and tag, with the search box), read, write, edit,
and a reader's feedback.

Adapters: parse, call one selector or service, render. Requesters see published public
articles only (anything else is a 404, as if it did not exist); engineers and tech leads
write; tech leads review (``knowledge.views.review``). A refused form comes back with its
errors beside the fields (400).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import capabilities
from knowledge import permissions, search, selectors
from knowledge.choices import ArticleStatus
from knowledge.errors import KnowledgeForbidden
from knowledge.forms import ArticleForm, BrowseForm, FeedbackForm, FilesForm
from knowledge.markdown import plain_text
from knowledge.markdown import render as render_markdown
from knowledge.models import Article
from knowledge.services import articles as article_services
from knowledge.services import feedback as feedback_services
from tickets import permissions as ticket_permissions
from tickets.errors import InvalidTransition
from tickets.forms import add_errors
from tickets.views.common import signed_in_user

PAGE_SIZE = 25
# A search shows at most this many hits, best first.
SEARCH_LIMIT = 200
NAV = "knowledge"


def _link(**params: str) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("knowledge:browse") + (f"?{query}" if query else "")


def _link_to_add(**params: str) -> str:
    """The browse page's address with these parameters, ready for one more."""
    link = _link(**params)
    return link + ("&" if "?" in link else "?")


def _row(article: Article, snippet: str = "") -> dict[str, Any]:
    return {
        "article": article,
        "url": reverse("knowledge:article", args=[article.pk]),
        "snippet": snippet or plain_text(article.symptom, 180),
        "scenarios": list(article.scenarios.all()),
    }


@login_required
@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    """Articles by category and tag, newest change first; with ``q`` the search's ranking.

    A search ranks its best ``SEARCH_LIMIT`` (ids only) and loads the page's articles, with
    their categories, scenarios and snippets, from the ranking; the side bar then counts
    those hits by category and scenario (its links keep the search), where the list
    without ``q`` counts every article the reader may read.
    """
    user = signed_in_user(request)
    staff = selectors.reads_everything(user)
    form = BrowseForm(request.GET)
    filters = form.query()
    q = filters.pop("q", "")
    if not staff:  # requesters read published public articles: nothing to choose
        filters.pop("status", None)
        filters.pop("audience", None)
    among: list[int] | None = None
    if q:
        ranking = search.rank(
            user,
            q,
            category=filters.get("category"),
            tag=filters.get("tag"),
            status=filters.get("status"),
            audience=filters.get("audience"),
            archived=bool(filters.get("status")),  # archived ones only when asked for
            limit=SEARCH_LIMIT,
        )
        among = ranking.ids
        hits = Paginator(ranking, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = [_row(hit.article, hit.snippet) for hit in hits.object_list]
        page: Page[Any] = hits
    else:
        rows = selectors.article_list_for(user, include_archived=False, **filters)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = [_row(a) for a in page.object_list]
    caps = capabilities(user)
    category = filters.get("category", "")
    counts, categories = selectors.category_counts(user, among=among)
    kept = {"q": q, **filters} if q else {}  # a side-bar link narrows the search
    return render(
        request,
        "knowledge/browse.html",
        {
            "form": form,
            "q": q,
            "filters": filters,
            "page": page,
            "rows": shown,
            "query": urlencode({"q": q, **filters} if q else filters),
            "searched": bool(q or filters),
            "categories": counts,
            "category_label": categories[category].label if category in categories else category,
            "category_link": _link_to_add(**{k: v for k, v in kept.items() if k != "category"}),
            "tag_link": _link_to_add(**{k: v for k, v in kept.items() if k != "tag"}),
            "tags": selectors.popular_tags(user, among=among),
            "staff": staff,
            "can_write": caps.write_articles,
            "can_review": caps.review_articles,
            "can_scripts": caps.use_scripts,
            "clear_link": _link(q=q),
            "browse_url": reverse("knowledge:browse"),
            "nav": NAV,
        },
    )


def _detail_context(
    request: HttpRequest, article: Article, user: User, **forms_: Any
) -> dict[str, Any]:
    staff = selectors.reads_everything(user)
    files = selectors.files_of(article)
    refs = selectors.file_refs(files)
    mine = selectors.feedback_of(user, article)
    feedback_form = forms_.get("feedback_form") or FeedbackForm(
        initial={"helpful": "yes" if mine.helpful else "no", "comment": mine.comment}
        if mine
        else None
    )
    source = article.source_ticket
    can_review = permissions.can_review(user)
    return {
        "article": article,
        "scenarios": list(article.scenarios.all()),
        "symptom": render_markdown(article.symptom, refs),
        "cause": render_markdown(article.cause, refs) if article.cause else "",
        "steps": [render_markdown(step, refs) for step in article.steps],
        "images": [(f, r) for f, r in zip(files, refs, strict=True) if f.is_image],
        "attachments": [(f, r) for f, r in zip(files, refs, strict=True) if not f.is_image],
        "links": selectors.linked_tickets_for(user, article),
        "source_ticket": (
            source if source is not None and ticket_permissions.can_view(source, user) else None
        ),
        "my_feedback": mine,
        "feedback_form": feedback_form,
        "feedback_open": article.status == ArticleStatus.PUBLISHED,
        "comments": selectors.comments_on(article) if staff else [],
        "staff": staff,
        "can_edit": staff and permissions.can_edit(article, user),
        "can_review": can_review,
        "status_actions": (article_services.actions_from(article.status) if can_review else []),
        "nav": NAV,
    }


@login_required
@require_GET
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    return render(request, "knowledge/article.html", _detail_context(request, article, user))


def _steps_extra(request: HttpRequest) -> int:
    return 1 if request.method == "POST" and "more_steps" in request.POST else 0


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not capabilities(user).write_articles:
        raise KnowledgeForbidden(_("Only engineers and tech leads write articles."))
    form = ArticleForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST" and "more_steps" not in request.POST:
        status = 400
        if form.is_valid():
            try:
                article = article_services.create_article(
                    by=user,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    **form.changes(),
                )
            except ValidationError as exc:
                add_errors(form, exc.message_dict)
            else:
                messages.success(request, _("Article saved."))
                return redirect("knowledge:article", article_id=article.pk)
    return render(
        request,
        "knowledge/edit.html",
        {
            "form": form,
            "article": None,
            "steps": form.step_boxes(_steps_extra(request)),
            "nav": NAV,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    if not permissions.can_edit(article, user):
        raise KnowledgeForbidden(_("You may not edit this article."))
    if request.method == "POST":
        form = ArticleForm(request.POST, user=user, article=article)
    else:
        form = ArticleForm.for_article(article, user=user)
    status = 200
    if request.method == "POST" and "more_steps" not in request.POST:
        status = 400
        if form.is_valid():
            try:
                article_services.update_article(
                    article, by=user, note=form.cleaned_data["note"], **form.changes()
                )
            except ValidationError as exc:
                add_errors(form, exc.message_dict)
            else:
                messages.success(request, _("Article saved."))
                return redirect("knowledge:article", article_id=article.pk)
    files = selectors.files_of(article)
    return render(
        request,
        "knowledge/edit.html",
        {
            "form": form,
            "article": article,
            "steps": form.step_boxes(_steps_extra(request)),
            "files": list(zip(files, selectors.file_refs(files), strict=True)),
            "files_form": FilesForm(),
            "nav": NAV,
        },
        status=status,
    )


@login_required
@require_POST
def article_feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    """A reader's "helpful / not helpful" (changeable), back to the article."""
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    form = FeedbackForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            _row, first = feedback_services.give_feedback(
                article.pk,
                by=user,
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
            )
        except InvalidTransition as exc:
            error, code = str(exc), 409
        except ValidationError as exc:
            add_errors(form, exc.message_dict)
            code = 400
        else:
            messages.success(
                request,
                _("Thank you for your feedback.") if first else _("Your answer was changed."),
            )
            return redirect(reverse("knowledge:article", args=[article.pk]) + "#feedback")
    else:
        code = 400
    article = selectors.get_article_for(user, article_id)
    context = _detail_context(request, article, user, feedback_form=form)
    context["feedback_error"] = error
    return render(request, "knowledge/article.html", context, status=code)

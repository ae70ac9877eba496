"""What the knowledge base does from a ticket's work view: link an article ("solved with")
and unlink it, find one by title to link, and turn a resolved ticket into a draft article.

Each view parses its input and calls one service (``knowledge.services.links``): 404 when
the ticket is not visible, 403 when the person may not, 409 when not in this state (the
ticket page again with the reason), 400 naming the field.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import capabilities
from knowledge import panels, search
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article, ArticleLink
from knowledge.services import links
from knowledge.views.suggest import query_of
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.forms import CategoryChoiceField, StyledForm
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Category, Ticket
from tickets.selectors import categories_in_tree_order
from tickets.views.common import is_partial, signed_in_user, ticket_or_404, vary_on_htmx
from tickets.views.ticket import detail_context

ANCHOR = "#knowledge"
FIND_RESULTS = 8
QUERY_MAX = 200


def _back(ticket: Ticket) -> HttpResponse:
    return redirect(reverse("tickets:detail", kwargs={"number": ticket.number}) + ANCHOR)


def _refused(request: HttpRequest, ticket: Ticket, status: int, error: str) -> HttpResponse:
    """The ticket page again, with the reason at the top."""
    context = detail_context(request, ticket)
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)


def _linking(request: HttpRequest, number: str, *, unlink: bool) -> HttpResponse:
    ticket = ticket_or_404(request, number)
    user = signed_in_user(request)
    article = request.POST.get("article", "")
    try:
        if unlink:
            links.unlink_article(ticket.pk, actor=user, article=article)
        else:
            links.link_article(ticket.pk, actor=user, article=article)
    except TicketNotFound:
        raise Http404 from None
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return _refused(request, ticket, 409, str(exc))
    except ValidationError as exc:
        return _refused(request, ticket, 400, " ".join(exc.messages))
    if unlink:
        messages.success(request, _("Article unlinked."))
    else:
        messages.success(request, _("Article linked: it counts as one more use."))
    return _back(ticket)


@login_required
@require_POST
def link(request: HttpRequest, number: str) -> HttpResponse:
    """Link an article the engineer used on this ticket ("solved with")."""
    return _linking(request, number, unlink=False)


@login_required
@require_POST
def unlink(request: HttpRequest, number: str) -> HttpResponse:
    return _linking(request, number, unlink=True)


@login_required
@require_GET
@vary_on_htmx
def find(request: HttpRequest, number: str) -> HttpResponse:
    """Articles to link, found by their words (the work view's search box): the list for
    htmx, the same list on a page of its own without it."""
    ticket = ticket_or_404(request, number)
    user = signed_in_user(request)
    if not capabilities(user).write_articles:
        raise PermissionDenied
    q = query_of(request.GET.get("q", ""))[:QUERY_MAX]
    linked = set(ArticleLink.objects.filter(ticket=ticket).values_list("article_id", flat=True))
    hits = []
    if q:
        hits = [
            hit
            for hit in search.search(user, q, limit=FIND_RESULTS + len(linked))
            if hit.article.status != ArticleStatus.ARCHIVED and hit.article.pk not in linked
        ][:FIND_RESULTS]
    context = {"ticket": ticket, "q": q, "hits": hits}
    if is_partial(request):
        return render(request, "knowledge/partials/ticket_find_results.html", context)
    return render(request, "knowledge/ticket_find.html", context)


@login_required
@require_GET
def similar(request: HttpRequest, number: str) -> HttpResponse:
    """Similar resolved tickets (the work view loads them after the page): staff only."""
    user = signed_in_user(request)
    if not capabilities(user).read_internal_articles:
        raise PermissionDenied
    ticket = ticket_or_404(request, number)
    context = {"similar": panels.similar_tickets(ticket, user)}
    return render(request, "knowledge/partials/ticket_similar.html", context)


# --- turning a ticket into an article -------------------------------------------------------


class WriteUpForm(StyledForm):
    """The article a resolved ticket suggests, for the engineer to review before saving a
    draft: steps as a numbered list, scenarios one per line."""

    id_prefix = "writeup"
    title = forms.CharField(label=gettext_lazy("Title"), max_length=max_length(Article, "title"))
    symptom = forms.CharField(
        label=gettext_lazy("Symptom"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What people see, in their words (error messages help search)."),
    )
    cause = forms.CharField(
        label=gettext_lazy("Cause"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    steps = forms.CharField(
        label=gettext_lazy("Resolution steps"),
        max_length=TEXT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One step per number (1. 2. 3. …); a line without a number continues the step above it."
        ),
    )
    scenarios = forms.CharField(
        label=gettext_lazy("Applies to"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line: operating system, device model, application and version."
        ),
    )
    category = CategoryChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=gettext_lazy("No category"),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Who may read it once published"),
        choices=Audience.choices,
        initial=Audience.INTERNAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("CategoryChoiceField", self.fields["category"]).queryset = categories_in_tree_order()

    def clean_steps(self) -> list[str]:
        steps = links.split_steps(self.cleaned_data["steps"])
        if not steps:
            raise ValidationError(_("Give at least one step."))
        return steps

    def clean_scenarios(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["scenarios"].splitlines() if line.strip()
        ]


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    """The service's refusal beside its field, marked as the form's own errors are."""
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


def _initial(ticket: Ticket) -> dict[str, Any]:
    found = links.prefill(ticket)
    numbered = [f"{n}. {step}" for n, step in enumerate(found["steps"], start=1)]
    return {
        **found,
        "steps": "\n".join(numbered),
        "scenarios": "\n".join(found["scenarios"]),
    }


@login_required
@require_http_methods(["GET", "POST"])
def write_up(request: HttpRequest, number: str) -> HttpResponse:
    """Turn into an article: the form filled from the ticket (GET), a draft saved (POST)."""
    ticket = ticket_or_404(request, number)
    user = signed_in_user(request)
    try:
        links.check_write_up(ticket, user)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return _refused(request, ticket, 409, str(exc))
    posted = request.POST if request.method == "POST" else None
    form = WriteUpForm(posted, initial=None if posted is not None else _initial(ticket))
    if request.method == "POST" and form.is_valid():
        try:
            article = links.write_up_ticket(ticket.pk, actor=user, **form.cleaned_data)
        except TicketNotFound:
            raise Http404 from None
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            return _refused(request, ticket, 409, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Draft article saved. It is published once a tech lead reviews it.")
            )
            return redirect("knowledge:article", article_id=article.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "ticket": ticket}
    return render(request, "knowledge/ticket_write_up.html", context, status=status)

"""Pages for people. Adapters: parse a form, call one service, render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from accounts.permissions import capabilities
from tickets import actions, forms, permissions, selectors, services
from tickets.attachments import clean_filename
from tickets.choices import OPEN_STATES, SLA_EVENT_KINDS, Channel
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.filters import TicketFilter
from tickets.models import Ticket


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # login_required ran first
        raise PermissionDenied
    return request.user


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if capabilities(_user(request)).view_all:
        return redirect("tickets:queue")
    return redirect("tickets:mine")


# --- filing ---------------------------------------------------------------------


def _file_ticket(request: HttpRequest, form: forms.TicketForm, *, channel: str) -> Ticket | None:
    """Submit through the service; a service-level field error lands on the form."""
    data = dict(form.cleaned_data)
    files = data.pop("attachments", [])
    try:
        return services.submit_ticket(actor=_user(request), files=files, channel=channel, **data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


def _filed_message(ticket: Ticket) -> str:
    """The promise, in plain words: the number and when an engineer will respond."""
    due = ticket.response_due_at
    if due is None:
        return _("Ticket %(number)s has been filed.") % {"number": ticket.number}
    local = timezone.localtime(due)
    when = (
        local.strftime("%H:%M")
        if local.date() == timezone.localdate()
        else local.strftime("%Y-%m-%d %H:%M")
    )
    return _("Ticket %(number)s has been filed. An engineer will respond by %(when)s.") % {
        "number": ticket.number,
        "when": when,
    }


@login_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not capabilities(user).file_ticket:
        raise PermissionDenied
    form = forms.TicketForm(request.POST or None, request.FILES or None, requester=user)
    if request.method == "POST" and form.is_valid():
        ticket = _file_ticket(request, form, channel=Channel.WEB)
        if ticket:
            messages.success(request, _filed_message(ticket))
            return redirect("tickets:detail", number=ticket.number)
    status = 400 if form.errors else 200
    context = {"form": form, "mode": "report", "nav": "new"}
    return render(request, "tickets/new.html", context, status=status)


@login_required
def log_call(request: HttpRequest) -> HttpResponse:
    if not capabilities(_user(request)).log_call:
        raise PermissionDenied
    form = forms.CallForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ticket = _file_ticket(request, form, channel=Channel.PHONE)
        if ticket:
            messages.success(request, _("Call logged as %(number)s.") % {"number": ticket.number})
            return redirect("tickets:detail", number=ticket.number)
    status = 400 if form.errors else 200
    context = {"form": form, "mode": "call", "nav": "call"}
    return render(request, "tickets/new.html", context, status=status)


# --- lists ----------------------------------------------------------------------


@login_required
@require_GET
def my_tickets(request: HttpRequest) -> HttpResponse:
    qs = selectors.my_tickets(_user(request))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    return render(
        request,
        "tickets/mine.html",
        {
            "page": page,
            "open_rows": [t for t in rows if t.state in OPEN_STATES],
            "done_rows": [t for t in rows if t.state not in OPEN_STATES],
            "nav": "mine",
        },
    )


def _queue_tabs() -> list[tuple[str, str, str]]:
    return [
        ("all", _("All open"), ""),
        ("unassigned", _("Unassigned"), "unassigned=true"),
        ("mine", _("Mine"), "mine=true"),
        ("waiting", _("Waiting on requester"), "waiting_on=requester"),
        # Fixed and confirmed: waiting for an engineer to close (no count: may be many).
        ("to_close", _("To close"), "state=verified"),
    ]


def page_rows(qs: QuerySet[Ticket], page: Page[Ticket]) -> list[Ticket]:
    """The page's tickets: ids chosen on the ticket table alone, then joined.

    ``WHERE id IN (SELECT id … ORDER BY … LIMIT 50)``: the inner query needs no
    join, so PostgreSQL never joins thousands of filtered rows to users and
    categories only to keep fifty (20 ms instead of 1 ms for a filtered queue
    at a million tickets).
    """
    start = (page.number - 1) * page.paginator.per_page
    return list(qs.filter(pk__in=qs.values("pk")[start : start + page.paginator.per_page]))


_TAB_FILTERS = {"unassigned": "true", "mine": "true", "waiting_on": "requester"}
_TAB_COUNT_KEYS = {"unassigned": "unassigned", "mine": "mine", "waiting_on": "waiting"}


def _known_count(
    request: HttpRequest, filterset: TicketFilter, counts: dict[str, int]
) -> int | None:
    """The number of rows when the queue shows all open tickets or exactly one tab."""
    if filterset.is_bound and not filterset.is_valid():
        return counts["all"]
    given = {
        key: request.GET.getlist(key)
        for key in request.GET
        if key not in ("page", "sort") and any(request.GET.getlist(key))
    }
    if not given:
        return counts["all"]
    if len(given) == 1:
        key, values = next(iter(given.items()))
        if values == [_TAB_FILTERS.get(key)]:
            return counts[_TAB_COUNT_KEYS[key]]
    return None


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    caps = capabilities(user)
    if not caps.view_all:
        raise PermissionDenied
    base = selectors.queue_for(user)
    # Asking for a state by name (verified, closed …) searches beyond the open tickets.
    finished = set(request.GET.getlist("state")) - set(OPEN_STATES)
    listed = selectors.queue_for(user, include_finished=True) if finished else base
    filterset = TicketFilter(request.GET or None, queryset=listed, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else listed
    # Counts of a NOT NULL column of the tickets_open_tabs index: one index-only scan.
    counts = base.aggregate(
        all=Count("waiting_on"),
        unassigned=Count("waiting_on", filter=Q(assignee__isnull=True)),
        mine=Count("waiting_on", filter=Q(assignee=user)),
        waiting=Count("waiting_on", filter=Q(waiting_on="requester")),
    )
    paginator = Paginator(qs, settings.TICKETS_QUEUE_PAGE_SIZE)
    known = _known_count(request, filterset, counts)
    if known is not None:  # a tab's count is the page count: no second COUNT over open rows
        paginator.count = known
    page = paginator.get_page(request.GET.get("page"))
    rows = page_rows(qs, page)
    # Only people who work the queue can be assignees: list them, not every user.
    filterset.form.fields["assignee"].queryset = selectors.engineers()
    for field in filterset.form.fields.values():
        css = "form-select" if hasattr(field.widget, "choices") else "form-control"
        field.widget.attrs["class"] = css
    params = request.GET.copy()
    params.pop("page", None)
    tab_keys = ("unassigned", "mine", "waiting_on")
    context = {
        "nav": "queue",
        "page": page,
        "rows": rows,
        "filter": filterset,
        "tabs": [(key, label, query, counts.get(key)) for key, label, query in _queue_tabs()],
        "active_tab": "&".join(f"{k}={params[k]}" for k in (*tab_keys, "state") if k in params),
        "hidden_filters": [(k, params[k]) for k in tab_keys if k in params],
        "visible_filters": ("state", "priority", "category", "site", "assignee", "sort", "q"),
        "query": params.urlencode(),
    }
    template = (
        "tickets/partials/_queue_table.html" if _is_partial(request) else "tickets/queue.html"
    )
    return render(request, template, context)


# --- one ticket -------------------------------------------------------------------


def _ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.get_ticket_for(_user(request), number)
    except TicketNotFound:
        raise Http404 from None


def _detail_context(
    request: HttpRequest, ticket: Ticket, **forms_: forms.StyledForm
) -> dict[str, Any]:
    user = _user(request)
    caps = capabilities(user)
    is_requester = permissions.is_requester_of(ticket, user)
    events = list(selectors.events_for(user, ticket))
    sla_events = [e for e in events if e.kind in SLA_EVENT_KINDS]
    events = [e for e in events if e.kind not in SLA_EVENT_KINDS]
    can = actions.available_actions(ticket, user)
    defaults: dict[str, forms.StyledForm | None] = {
        "diagnose_form": forms.DiagnoseForm(),
        "resolve_form": forms.ResolveForm(),
        "verify_form": forms.VerifyForm(),
        "reject_form": forms.RejectForm(),
        "cancel_form": forms.CancelForm(),
        "info_form": forms.RequestInfoForm(),
        "reply_form": forms.ReplyForm(),
        "priority_form": forms.PriorityForm(initial={"priority": ticket.priority}),
        "assign_form": forms.AssignForm() if can["assign"] else None,
    }
    defaults.update(forms_)
    return {
        "ticket": ticket,
        "events": events,
        "sla_events": sla_events,
        "attachments": list(selectors.attachments_for(user, ticket)),
        "is_requester": is_requester,
        "work_view": caps.view_all,
        "allowed": can,
        **defaults,
    }


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


@login_required
@require_GET
def service_report(request: HttpRequest, number: str) -> HttpResponse:
    """The printable service report (R6.1)."""
    ticket = _ticket_or_404(request, number)
    events = [
        e for e in selectors.events_for(_user(request), ticket) if e.kind not in SLA_EVENT_KINDS
    ]
    return render(request, "tickets/report.html", {"ticket": ticket, "events": events})


@login_required
@require_GET
def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """Files leave only through here: permission-checked, as a download, never sniffed."""
    try:
        attachment = selectors.get_attachment_for(_user(request), number, attachment_id)
    except TicketNotFound:
        raise Http404 from None
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        # Cleaned again here: the header must not carry CR/LF or quotes whatever the row holds.
        filename=clean_filename(attachment.original_name),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


# --- actions on a ticket ---------------------------------------------------------

ActionRunner = Callable[[HttpRequest, Ticket, dict[str, Any]], object]


def _act(
    request: HttpRequest,
    number: str,
    form_class: type[forms.StyledForm] | None,
    form_key: str | None,
    run: ActionRunner,
    success: str,
) -> HttpResponse:
    """Run one service for a POSTed form; on failure re-render the ticket with the error.

    403 when the user may not, 404 when they may not see the ticket, 409 when the
    state does not allow it, 400 with field errors when the input is wrong.
    """
    ticket = _ticket_or_404(request, number)
    form = form_class(request.POST, request.FILES) if form_class else None
    status = 200
    error = ""
    if form is not None and not form.is_valid():
        status = 400
    else:
        try:
            run(request, ticket, form.cleaned_data if form is not None else {})
        except TicketNotFound:
            raise Http404 from None
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            status, error = 409, str(exc)
        except ValidationError as exc:
            status = 400
            for field, errors in exc.message_dict.items():
                if form is not None and field in form.fields:
                    form.add_error(field, errors)
                else:
                    error = " ".join(errors)
        else:
            messages.success(request, success)
            url = reverse("tickets:detail", kwargs={"number": ticket.number})
            if _is_partial(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)
    ticket = _ticket_or_404(request, number)
    extra = {form_key: form} if form_key and form is not None else {}
    context = _detail_context(request, ticket, **extra)
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)


def _action(
    form_class: type[forms.StyledForm] | None, form_key: str | None, success: Callable[[], str]
) -> Callable[[ActionRunner], Callable[..., HttpResponse]]:
    def decorate(run: ActionRunner) -> Callable[..., HttpResponse]:
        @login_required
        @require_POST
        def view(request: HttpRequest, number: str) -> HttpResponse:
            return _act(request, number, form_class, form_key, run, success())

        view.__name__ = run.__name__
        view.__doc__ = run.__doc__
        return view

    return decorate


@_action(None, None, lambda: _("Ticket accepted. The requester has been told."))
def accept(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.accept_ticket(ticket.pk, actor=_user(request))


@_action(forms.DiagnoseForm, "diagnose_form", lambda: _("Diagnosis recorded."))
def diagnose(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.diagnose_ticket(ticket.pk, actor=_user(request), **data)


@_action(
    forms.ResolveForm, "resolve_form", lambda: _("Resolved. The requester is asked to verify.")
)
def resolve(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.resolve_ticket(ticket.pk, actor=_user(request), **data)


@_action(forms.VerifyForm, "verify_form", lambda: _("Thank you: the fix is confirmed."))
def verify(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.verify_ticket(ticket.pk, actor=_user(request), **data)


@_action(forms.RejectForm, "reject_form", lambda: _("The ticket goes back to the engineer."))
def reject(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.reject_fix(ticket.pk, actor=_user(request), **data)


@_action(None, None, lambda: _("Ticket closed."))
def close(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.close_ticket(ticket.pk, actor=_user(request))


@_action(forms.CancelForm, "cancel_form", lambda: _("Ticket cancelled."))
def cancel(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.cancel_ticket(ticket.pk, actor=_user(request), **data)


@_action(
    forms.RequestInfoForm,
    "info_form",
    lambda: _("Question sent; the ticket now waits on the requester."),
)
def request_info(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.request_info(ticket.pk, actor=_user(request), **data)


@_action(forms.ReplyForm, "reply_form", lambda: _("Message added."))
def reply(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.add_message(
        ticket.pk,
        actor=_user(request),
        body=data["body"],
        internal=data.get("internal", False),
        files=data.get("attachments", []),
    )


@_action(forms.PriorityForm, "priority_form", lambda: _("Priority changed."))
def change_priority(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.change_priority(ticket.pk, actor=_user(request), **data)


@_action(forms.AssignForm, "assign_form", lambda: _("Ticket reassigned."))
def assign(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.assign_ticket(ticket.pk, actor=_user(request), **data)

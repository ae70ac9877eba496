"""The queue's bulk actions: assign the ticked tickets, or change their priority, at once.

An adapter like the others: it reads the form, calls one bulk service (which calls the
ticket's own service once per ticket), tells the person what was done and what was
refused by number, and goes back to the queue as it was (filters and page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import capabilities
from tickets.choices import Priority
from tickets.filters import canonical_query
from tickets.forms_bulk import BulkForm
from tickets.services.bulk import BulkResult, bulk_assign, bulk_change_priority
from tickets.views.common import signed_in_user
from tickets.views.lists import queue_page

# A result message names at most this many refused tickets, then says how many more.
REFUSALS_SHOWN = 20


def queue_url(query: str, *, page: bool = True) -> str:
    """The queue with these filters (re-spelled: nothing but the queue's own parameters)."""
    clean = canonical_query(QueryDict(query or ""), keep=("page",) if page else ())
    url = reverse("tickets:queue")
    return f"{url}?{clean}" if clean else url


def refusals_text(result: BulkResult) -> str:
    """ "Not changed: IT-… (why); IT-… (why)", capped at ``REFUSALS_SHOWN`` tickets."""
    # Translated separators: Chinese takes full-width ones (“IT-…（原因）；IT-…”).
    shown = _("; ").join(
        _("%(number)s (%(why)s)") % {"number": number, "why": why.rstrip("。.")}
        for number, why in result.refused[:REFUSALS_SHOWN]
    )
    more = len(result.refused) - REFUSALS_SHOWN
    if more > 0:
        shown += " " + ngettext("and %(count)d more.", "and %(count)d more.", more) % {
            "count": more
        }
    count = len(result.refused)
    return ngettext(
        "%(count)d ticket not changed: %(list)s",
        "%(count)d tickets not changed: %(list)s",
        count,
    ) % {"count": count, "list": shown}


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """The selected tickets (``tickets``), the ``action`` and its input."""
    user = signed_in_user(request)
    caps = capabilities(user)
    if not caps.work_queue:
        raise PermissionDenied
    if request.POST.get("action") == BulkForm.ASSIGN and not caps.assign:
        raise PermissionDenied(_("Only a tech lead assigns tickets."))
    form = BulkForm(request.POST)
    back = form.data.get("next", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == BulkForm.ASSIGN:
                result = bulk_assign(
                    data["tickets"], actor=user, assignee=data["assignee"], reason=data["reason"]
                )
                done = ngettext(
                    "%(count)d ticket assigned to %(name)s.",
                    "%(count)d tickets assigned to %(name)s.",
                    len(result.done),
                ) % {"count": len(result.done), "name": data["assignee"].name}
            else:
                result = bulk_change_priority(
                    data["tickets"], actor=user, priority=data["priority"], reason=data["reason"]
                )
                done = ngettext(
                    "%(count)d ticket now has priority %(priority)s.",
                    "%(count)d tickets now have priority %(priority)s.",
                    len(result.done),
                ) % {"count": len(result.done), "priority": Priority(data["priority"]).label}
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if result.done:
                messages.success(request, done)
            if result.refused:
                messages.warning(request, refusals_text(result))
            return redirect(queue_url(back))
    cleaned = getattr(form, "cleaned_data", {})
    selected = {str(n) for n in cleaned.get("tickets") or request.POST.getlist("tickets") or []}
    return queue_page(
        request,
        QueryDict(canonical_query(QueryDict(back), keep=("page",))),
        extra={"bulk_form": form, "selected": selected},
        status=400,
    )

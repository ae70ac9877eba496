"""The in-app notification list behind the bell (grouped, a digest's items), and the
person's notification settings. Adapters over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from notifications import digests, folding, kinds, preferences, quiet_hours, selectors, services
from notifications.forms import QuietHoursForm
from notifications.models import Notification

INBOX_SIZE = 50


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # login_required ran first
        raise PermissionDenied
    return request.user


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's in-app notifications grouped by kind and what they are about (a ticket,
    a digest's list), newest first, 50 groups a page; ``?kind=`` one kind only; ``?digest=``
    the items a digest folded. A COUNT, the page's groups and their newest rows."""
    user = _user(request)
    digest = request.GET.get("digest", "")
    if digest:
        return _digest_items(request, user, digest)
    kind = request.GET.get("kind", "")[:32]
    page = Paginator(selectors.inbox_groups(user, kind=kind), INBOX_SIZE).get_page(
        request.GET.get("page")
    )
    groups = list(page.object_list)
    rows = selectors.latest_rows(groups)
    minutes = int(folding.window().total_seconds() // 60)
    items = [
        {
            "row": rows[group["latest"]],
            "label": kinds.label(group["kind"]),
            "text": _text(rows[group["latest"]], minutes),
            "count": group["count"],
            "unread": group["unread"],
        }
        for group in groups
        if group["latest"] in rows
    ]
    return render(
        request,
        "notifications/inbox.html",
        {
            "items": items,
            "page": page,
            "kind": kind if kinds.is_registered(kind) else "",
            "kind_label": kinds.label(kind) if kind else "",
            "query": urlencode({"kind": kind}) if kind else "",
            "nav": "notifications",
        },
    )


def _text(row: Notification, minutes: int) -> str:
    """What the inbox says a row is about: its number and title, or a digest's summary in
    the reader's language (the stored title is in the language of the day it was sent)."""
    payload = row.payload
    if "digest" in payload:
        return digests.summary(
            int(payload.get("count") or 0),
            [str(n) for n in payload.get("numbers") or []],
            scope=str(payload.get("scope", "")),
            minutes=int(payload.get("minutes") or minutes),
            kind=row.kind,
        )
    return " ".join(str(part) for part in (row.number, payload.get("title", "")) if part)


def _digest_items(request: HttpRequest, user: User, digest: str) -> HttpResponse:
    """The items one of the person's digests folded (where a digest of a kind without a
    list of its own links to), 50 a page."""
    if not digest.isdigit() or len(digest) > 18:
        raise Http404
    found = digests.digest_of(int(digest), user)
    if found is None:
        raise Http404
    page = Paginator(digests.items_of(found), INBOX_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/digest.html",
        {
            "digest": found,
            "label": kinds.label(found.kind),
            "page": page,
            "items": page.object_list,
            "query": urlencode({"digest": found.pk}),
            "nav": "notifications",
        },
    )


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read (with the unread rest of its group: same kind, same link) and go
    where it points."""
    try:
        notification = services.open_group(pk, actor=_user(request))
    except services.NotificationNotFound:
        raise Http404 from None
    link = notification.link
    if not link or not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect("notifications:inbox")
    return redirect(link)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(actor=_user(request))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_kind_read(request: HttpRequest, kind: str) -> HttpResponse:
    """Mark every unread notification of one kind read ("all the breaches")."""
    services.mark_kind_read(_user(request), kind)
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest) -> HttpResponse:
    """Which channels the person gets each kind of notification on: kinds × channels,
    ticked cells on; channels they have no address for shown disabled. And their quiet
    hours: a from–to in their zone, when only urgent news reaches them outside the app."""
    user = _user(request)
    hours = quiet_hours.hours_of(user)
    form = QuietHoursForm.for_hours(hours)
    status = 200
    if request.method == "POST":
        form = QuietHoursForm(request.POST)
        if form.is_valid():
            preferences.save(user, request.POST.getlist("on"))
            quiet_hours.save(
                user, form.cleaned_data["quiet_starts"], form.cleaned_data["quiet_ends"]
            )
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications:preferences")
        status = 400
    columns = preferences.columns_for(user)
    return render(
        request,
        "notifications/preferences.html",
        {
            "columns": columns,
            "unlinked": any(not column.linked for column in columns),
            "groups": preferences.table_for(user),
            "quiet_form": form,
            "quiet_zone": hours.time_zone if hours else quiet_hours.zone_name(user),
            "nav": "notifications",
        },
        status=status,
    )

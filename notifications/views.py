"""The in-app notification list behind the bell. Adapters over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from notifications import kinds, preferences, selectors, services

INBOX_SIZE = 50


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # login_required ran first
        raise PermissionDenied
    return request.user


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's in-app notifications, newest first, 50 a page (a COUNT and the page's rows)."""
    page = Paginator(selectors.inbox_for(_user(request)), INBOX_SIZE).get_page(
        request.GET.get("page")
    )
    items = [{"row": row, "label": kinds.label(row.kind)} for row in page.object_list]
    return render(
        request,
        "notifications/inbox.html",
        {"items": items, "page": page, "nav": "notifications"},
    )


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and go where it points."""
    try:
        notification = services.mark_read(pk, actor=_user(request))
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
@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest) -> HttpResponse:
    """Which channels the person gets each kind of notification on: kinds × channels,
    ticked cells on; channels they have no address for shown disabled."""
    user = _user(request)
    if request.method == "POST":
        preferences.save(user, request.POST.getlist("on"))
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    columns = preferences.columns_for(user)
    return render(
        request,
        "notifications/preferences.html",
        {
            "columns": columns,
            "unlinked": any(not column.linked for column in columns),
            "groups": preferences.table_for(user),
            "nav": "notifications",
        },
    )

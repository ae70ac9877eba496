"""The in-app notification list behind the bell."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tickets.notification_models import Notification, NotificationChannel
from tickets.notifications import kind_label


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    rows = list(
        Notification.objects.filter(
            recipient=request.user, channel=NotificationChannel.IN_APP
        ).order_by("-created_at", "-pk")[:50]
    )
    for row in rows:
        row.label = kind_label(row.kind)  # type: ignore[attr-defined]
    return render(request, "notifications/inbox.html", {"rows": rows, "nav": "notifications"})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(
        recipient=request.user, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())
    return redirect("notifications:inbox")

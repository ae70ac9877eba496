"""The SLA explanation of a priority change, and the priority form's preview on a re-shown form."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from tickets import services
from tickets.clock_display import PriorityPreview, Recalculation, explain_recalculation
from tickets.clock_display import priority_preview as build_preview
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.forms import PriorityForm
from tickets.models import Ticket, TicketEvent

register = template.Library()


@register.filter
def recalculation(event: TicketEvent) -> Recalculation | None:
    """A ``sla_recalculated`` event in words (``None`` for one older than the re-triage rules)."""
    return explain_recalculation(event.data or {}, event.at)


@register.simple_tag(takes_context=True)
def priority_form_preview(
    context: template.Context, ticket: Ticket, form: PriorityForm | None
) -> PriorityPreview | None:
    """When the priority form comes back with an error (a missing reason …), the preview of the
    priority it still shows, so the warning does not disappear with the first attempt."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if form is None or not form.is_bound or not isinstance(user, User):
        return None
    chosen: Any = form.data.get("priority")
    if not chosen or chosen == ticket.priority:
        return None
    now = timezone.now()
    try:
        draft, data = services.preview_priority_change(ticket, actor=user, priority=chosen, now=now)
    except (ActionForbidden, InvalidTransition, ValidationError):
        return None
    return build_preview(draft, data, now)

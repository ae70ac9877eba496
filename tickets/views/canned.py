"""Canned replies: the engineer's management page, and the filled text the ticket page inserts.

``/tickets/canned-replies/`` lists the replies the engineer may use (shared, then their
own) with the placeholders explained; a form page creates or edits one (delete is on the
edit page, behind a second click). ``/tickets/<number>/canned/<id>/`` answers the reply's
text filled for that ticket as JSON; ``static/js/canned.js`` puts it into the textarea.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from tickets import permissions, selectors
from tickets.errors import ActionForbidden, TicketNotFound
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.models import CannedReply
from tickets.services import canned as service
from tickets.views.common import signed_in_user, ticket_or_404


class CannedReplyForm(StyledForm):
    id_prefix = "canned"
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=max_length(CannedReply, "title"),
        help_text=gettext_lazy("What you pick it by in the list, e.g. “Password reset done”."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=max_length(CannedReply, "body"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Placeholders such as {requester_name} are filled in when the reply is inserted."
        ),
    )
    shared = forms.BooleanField(label=gettext_lazy("Shared with every engineer"), required=False)

    def __init__(self, *args: Any, can_share: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _engineer(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not permissions.can_use_canned_replies(user):
        raise PermissionDenied(_("Canned replies are for engineers."))
    return user


def _reply_or_404(user: User, reply_id: int) -> CannedReply:
    reply = selectors.canned_replies_for(user).filter(pk=reply_id).first()
    if reply is None:
        raise Http404
    return reply


def _page_context(user: User, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "canned",
        "placeholders": [
            (f"{{{name}}}", meaning) for name, meaning in service.PLACEHOLDERS.items()
        ],
        "can_share": permissions.can_share_canned_replies(user),
        **extra,
    }


def _saved(request: HttpRequest, form: CannedReplyForm, run: Any) -> bool:
    """Run the service with the form's data; its refusals become form errors (400)."""
    try:
        run(form.cleaned_data)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except TicketNotFound:  # deleted meanwhile
        raise Http404 from None
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


@login_required
@require_GET
def canned_replies(request: HttpRequest) -> HttpResponse:
    user = _engineer(request)
    replies = list(selectors.canned_replies_for(user))
    can_share = permissions.can_share_canned_replies(user)
    return render(
        request,
        "tickets/canned_replies.html",
        _page_context(
            user,
            shared=[r for r in replies if r.owner_id is None],
            mine=[r for r in replies if r.owner_id is not None],
            editable_shared=can_share,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def canned_new(request: HttpRequest) -> HttpResponse:
    user = _engineer(request)
    can_share = permissions.can_share_canned_replies(user)
    form = CannedReplyForm(_posted(request), can_share=can_share)
    if request.method == "POST":
        if form.is_valid() and _saved(
            request,
            form,
            lambda data: service.create_canned_reply(
                actor=user,
                title=data["title"],
                body=data["body"],
                shared=data.get("shared", False),
            ),
        ):
            messages.success(request, _("Canned reply saved."))
            return redirect("tickets:canned_replies")
        status = 400
    else:
        status = 200
    context = _page_context(user, form=form, reply=None)
    return render(request, "tickets/canned_reply_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, reply_id: int) -> HttpResponse:
    user = _engineer(request)
    reply = _reply_or_404(user, reply_id)
    can_share = permissions.can_share_canned_replies(user)
    if reply.owner_id is None and not can_share:
        raise PermissionDenied(_("Only a tech lead changes shared canned replies."))
    initial = {"title": reply.title, "body": reply.body, "shared": reply.owner_id is None}
    form = CannedReplyForm(_posted(request), initial=initial, can_share=can_share)
    if request.method == "POST":
        if form.is_valid() and _saved(
            request,
            form,
            lambda data: service.update_canned_reply(reply.pk, actor=user, changes=data),
        ):
            messages.success(request, _("Canned reply saved."))
            return redirect("tickets:canned_replies")
        status = 400
    else:
        status = 200
    context = _page_context(user, form=form, reply=reply)
    return render(request, "tickets/canned_reply_form.html", context, status=status)


@login_required
@require_POST
def canned_delete(request: HttpRequest, reply_id: int) -> HttpResponse:
    user = _engineer(request)
    reply = _reply_or_404(user, reply_id)
    try:
        service.delete_canned_reply(reply.pk, actor=user)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except TicketNotFound:  # deleted meanwhile
        raise Http404 from None
    messages.success(request, _("Canned reply “%(title)s” deleted.") % {"title": reply.title})
    return redirect("tickets:canned_replies")


@login_required
@require_GET
def canned_render(request: HttpRequest, number: str, reply_id: int) -> JsonResponse:
    """The reply's text filled in for this ticket, for the reply form's picker."""
    ticket = ticket_or_404(request, number)
    user = _engineer(request)
    reply = _reply_or_404(user, reply_id)
    text = service.render_canned_reply(reply, ticket=ticket, engineer=user)
    response = JsonResponse({"id": reply.pk, "title": reply.title, "text": text})
    response["Cache-Control"] = "private, no-store"
    return response

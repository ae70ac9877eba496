"""Saved views: a person keeps the queue's current filters as a named tab of their own,
renames it or deletes it. Adapters over ``tickets.services.saved_views``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import capabilities
from tickets.filters import canonical_query
from tickets.forms_bulk import SavedViewForm
from tickets.models import SavedView
from tickets.services import saved_views as services
from tickets.views.bulk import queue_url
from tickets.views.common import signed_in_user
from tickets.views.lists import queue_page


def _queue_user(request: HttpRequest) -> User:
    """Whoever may open the queue may keep tabs on it (engineers, leads, managers)."""
    user = signed_in_user(request)
    if not capabilities(user).view_all:
        raise PermissionDenied
    return user


def _own_view(user: User, view_id: int) -> SavedView:
    view = SavedView.objects.filter(pk=view_id, owner=user).first()
    if view is None:  # someone else's tab does not exist for this person
        raise Http404
    return view


def _errors_into(form: SavedViewForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error("name" if field not in form.fields else field, errors)


def _failed(request: HttpRequest, query: str, **extra: object) -> HttpResponse:
    """The queue again with the filters the form came from and the form's errors (400)."""
    params = QueryDict(canonical_query(QueryDict(query or "")))
    return queue_page(request, params, extra=extra, status=400)


@login_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    user = _queue_user(request)
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = services.save_view(
                actor=user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Saved as your tab “%(name)s”.") % {"name": view.name})
            return redirect(queue_url(view.query, page=False))
    return _failed(request, form.data.get("query", ""), view_form=form)


@login_required
@require_POST
def rename_view(request: HttpRequest, view_id: int) -> HttpResponse:
    user = _queue_user(request)
    view = _own_view(user, view_id)
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = services.rename_view(view.pk, actor=user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            _errors_into(form, exc)
        except SavedView.DoesNotExist:
            raise Http404 from None
        else:
            messages.success(request, _("Tab renamed to “%(name)s”.") % {"name": view.name})
            return redirect(queue_url(view.query, page=False))
    return _failed(request, view.query, rename_form=form)


@login_required
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    user = _queue_user(request)
    view = _own_view(user, view_id)
    try:
        name = services.delete_view(view.pk, actor=user)
    except SavedView.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Tab “%(name)s” deleted.") % {"name": name})
    return redirect(queue_url(view.query, page=False))

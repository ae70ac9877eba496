"""Pages of the channels: admins set people's IM ids in bulk from a CSV file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from channels import im_ids
from tickets.forms import StyledForm

PREVIEW_ROWS = 200  # changes listed on the check's page (all are applied)


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: username, wecom_id, dingtalk_id, feishu_id, slack_id. An empty cell "
            "changes nothing; “-” clears the id."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _admin(request: HttpRequest) -> User:
    """People who may change other people's accounts (the admins)."""
    user = request.user
    if not isinstance(user, User) or not user.has_perm("accounts.change_user"):
        raise PermissionDenied
    return user


@login_required
@require_http_methods(["GET", "POST"])
def import_im_ids(request: HttpRequest) -> HttpResponse:
    """Upload a file: every row is checked and the changes shown; then apply them."""
    user = _admin(request)
    status = 200
    context: dict[str, Any] = {"nav": "im_ids", "max_rows": im_ids.MAX_ROWS}
    if request.method == "POST" and request.POST.get("token"):
        try:
            done = im_ids.apply(request.POST["token"], actor=user)
        except ValidationError as exc:
            form = ImportForm()
            context["apply_errors"] = exc.messages
            status = 400
        else:
            messages.success(
                request,
                _("IM ids saved: %(changed)d people changed, %(unchanged)d unchanged.")
                % {"changed": len(done.changes), "unchanged": done.unchanged},
            )
            return redirect("channels:import_im_ids")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                # One byte past the limit is enough to refuse a file as too large.
                rows = im_ids.parse(form.cleaned_data["file"].read(im_ids.MAX_BYTES + 1))
            except ValidationError as exc:
                form.add_error("file", exc.message_dict.get("file", exc.messages))
            else:
                result = im_ids.check(rows)
                context["result"] = result
                context["shown_changes"] = result.changes[:PREVIEW_ROWS]
                context["more_changes"] = max(0, len(result.changes) - PREVIEW_ROWS)
                if not result.errors:
                    status = 200
                    context["token"] = im_ids.keep(rows, actor=user)
    else:
        form = ImportForm()
    context["form"] = form
    return render(request, "channels/import_im_ids.html", context, status=status)


@login_required
@require_GET
def import_example(request: HttpRequest) -> HttpResponse:
    _admin(request)
    response = HttpResponse(im_ids.example_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="im-ids-example.csv"'
    return response

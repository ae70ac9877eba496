"""An article's screenshots and attachments: served to its readers, added and removed by
its writers.

A file leaves only through ``article_file``, which checks the reader may read the article
(404 otherwise, like the article). An image (by its first bytes, see
``knowledge.services.files``) is sent inline so the article shows it; anything else as a
download. Always ``nosniff`` and a sandboxing CSP: the browser never runs what it got.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from knowledge import selectors
from knowledge.forms import FilesForm
from knowledge.services import files as file_services
from tickets.attachments import clean_filename
from tickets.views.common import signed_in_user


def protect(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def article_file(request: HttpRequest, article_id: int, file_id: int) -> FileResponse:
    user = signed_in_user(request)
    row = selectors.get_file_for(user, article_id, file_id)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not row.is_image,
        filename=clean_filename(row.original_name),
        content_type=row.content_type if row.is_image else "application/octet-stream",
    )
    protect(response)
    return response


def _edit_page(article_id: int) -> str:
    return reverse("knowledge:article_edit", args=[article_id]) + "#files"


@login_required
@require_POST
def article_file_add(request: HttpRequest, article_id: int) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    form = FilesForm(request.POST, request.FILES)
    refusals: list[str] = []
    if form.is_valid():
        try:
            stored = file_services.add_files(
                article.pk, by=user, files=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            refusals = [m for found in exc.message_dict.values() for m in found]
    else:
        refusals = [str(m) for found in form.errors.values() for m in found]
    if refusals:
        for refusal in refusals:
            messages.error(request, refusal)
        return redirect(_edit_page(article.pk))
    messages.success(
        request,
        _("%(count)d file(s) added. Show an image in the text with ![description](file:%(id)d).")
        % {"count": len(stored), "id": stored[0].pk},
    )
    return redirect(_edit_page(article.pk))


@login_required
@require_POST
def article_file_delete(request: HttpRequest, article_id: int, file_id: int) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.get_article_for(user, article_id)
    file_services.remove_file(article.pk, file_id, by=user)
    messages.success(request, _("File removed."))
    return redirect(_edit_page(article.pk))

"""The tools and scripts library (R6.4): list, one script with its download log, add,
edit, download (logged).

Staff only (``use_scripts``): a requester is refused (403) — the library is the desk's,
not a secret. Engineers and tech leads add and change entries.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from knowledge import selectors
from knowledge.choices import ScriptKind, ScriptLanguage
from knowledge.errors import KnowledgeForbidden
from knowledge.forms import ScriptFilterForm, ScriptForm
from knowledge.markdown import render as render_markdown
from knowledge.models import Script
from knowledge.services import scripts as script_services
from knowledge.views.articles import NAV
from knowledge.views.files import protect
from tickets.attachments import clean_filename
from tickets.forms import add_errors
from tickets.views.common import signed_in_user

PAGE_SIZE = 50
SUFFIX = {
    ScriptLanguage.POWERSHELL: ".ps1",
    ScriptLanguage.BATCH: ".bat",
    ScriptLanguage.BASH: ".sh",
    ScriptLanguage.PYTHON: ".py",
    ScriptLanguage.APPLESCRIPT: ".applescript",
    ScriptLanguage.TEXT: ".txt",
}


def _staff(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not script_services.may_use(user):
        raise KnowledgeForbidden(_("The scripts library is for the IT staff."))
    return user


def _writer(request: HttpRequest) -> User:
    user = _staff(request)
    if not script_services.may_write(user):
        raise KnowledgeForbidden(_("Only engineers and tech leads add or change scripts."))
    return user


@login_required
@require_GET
def script_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = ScriptFilterForm(request.GET)
    filters = form.query()
    rows = selectors.script_list_for(user, **filters).defer("body", "usage")  # not listed
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/scripts.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(filters),
            "searched": bool(filters),
            "can_write": script_services.may_write(user),
            "nav": NAV,
        },
    )


@login_required
@require_GET
def script_detail(request: HttpRequest, script_id: int) -> HttpResponse:
    user = _staff(request)
    script = selectors.get_script_for(user, script_id)
    downloads = selectors.downloads_of(script)
    return render(
        request,
        "knowledge/script.html",
        {
            "script": script,
            "usage": render_markdown(script.usage) if script.usage else "",
            # A guide is read as text; a script is shown exactly as typed, as code.
            "guide": (
                render_markdown(script.body)
                if script.kind == ScriptKind.GUIDE and script.body
                else ""
            ),
            "downloads": downloads,
            "downloads_limited": len(downloads) == selectors.DOWNLOADS_LIMIT,
            "can_write": script_services.may_write(user),
            "nav": NAV,
        },
    )


def _save(request: HttpRequest, user: User, script: Script | None, form: ScriptForm) -> Script:
    if script is None:
        return script_services.create_script(by=user, **form.changes())
    return script_services.update_script(script.pk, by=user, **form.changes())


@login_required
@require_http_methods(["GET", "POST"])
def script_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def script_edit(request: HttpRequest, script_id: int) -> HttpResponse:
    user = _staff(request)
    return _form_page(request, selectors.get_script_for(user, script_id))


def _form_page(request: HttpRequest, script: Script | None) -> HttpResponse:
    user = _writer(request)
    if request.method == "POST":
        form = ScriptForm(request.POST, request.FILES)
    else:
        form = ScriptForm.for_script(script) if script is not None else ScriptForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = _save(request, user, script, form)
            except ValidationError as exc:
                add_errors(form, exc.message_dict)
            else:
                messages.success(request, _("Script saved."))
                return redirect("knowledge:script", script_id=saved.pk)
    return render(
        request,
        "knowledge/script_form.html",
        {"form": form, "script": script, "nav": NAV},
        status=status,
    )


def download_name(script: Script) -> str:
    """The downloaded file's name: the uploaded one, else the script's name and its
    language's usual suffix."""
    if script.file:
        return clean_filename(script.original_name or "script")
    stem = re.sub(r"\s+", "-", script.name.strip())[:80] or "script"
    return clean_filename(stem + SUFFIX.get(ScriptLanguage(script.language), ".txt"))


def client_address(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    return str(address) if address else None


@login_required
@require_GET
def script_download(request: HttpRequest, script_id: int) -> FileResponse:
    """The script as a file, each download logged and counted."""
    user = _staff(request)
    script = selectors.get_script_for(user, script_id)
    return send_script(script, user, client_address(request))


def send_script(script: Script, user: User, address: str | None) -> FileResponse:
    """Log the download, then the file (or the text as a file): never run by the browser."""
    handle: Any
    if script.file:
        try:
            handle = script.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
    else:
        handle = ContentFile(script.body.encode("utf-8"))
    script_services.record_download(script.pk, by=user, ip_address=address)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(script),
        content_type="application/octet-stream",
    )
    protect(response)
    return response

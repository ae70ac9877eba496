"""The vendor list: everyone who may read it sees it; tech leads and admins add and edit.

``/vendors/`` lists the vendors (with how many cases each has open) and, for the managers
of the list, a form to add one; ``/vendors/<id>/`` edits one. Bad input re-renders the
form with the error beside its field (400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from tickets.errors import ActionForbidden
from tickets.forms import add_errors
from tickets.views.common import signed_in_user
from vendors import permissions, selectors, services
from vendors.choices import CaseStatus
from vendors.errors import VendorNotFound
from vendors.forms import VendorForm
from vendors.models import Vendor

PAGE_SIZE = 50


def _reader(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not permissions.can_read_vendors(user):
        raise PermissionDenied(_("The vendor list is for the service desk."))
    return user


def _manager(request: HttpRequest) -> User:
    user = _reader(request)
    if not permissions.can_manage_vendors(user):
        raise PermissionDenied(_("Only tech leads and admins manage vendors."))
    return user


def _saved(form: VendorForm, run: Callable[[dict[str, Any]], Vendor]) -> Vendor | None:
    """Run the service with the form's data; its refusals become form errors."""
    try:
        return run(form.cleaned_data)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except ValidationError as exc:
        add_errors(form, exc.message_dict)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def vendor_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    can_manage = permissions.can_manage_vendors(user)
    form = VendorForm()
    status = 200
    if request.method == "POST":
        _manager(request)
        form = VendorForm(request.POST)
        if form.is_valid():
            created = _saved(form, lambda data: services.create_vendor(actor=user, **data))
            if created is not None:
                messages.success(request, _("Vendor added: %(name)s.") % {"name": created.name})
                return redirect("vendors:list")
        status = 400
    rows = selectors.vendors_for(user).annotate(
        open_cases=Count("cases", filter=Q(cases__status=CaseStatus.OPEN))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "vendors", "page": page, "form": form if can_manage else None}
    return render(request, "vendors/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def vendor_edit(request: HttpRequest, vendor_id: int) -> HttpResponse:
    user = _manager(request)
    vendor = selectors.vendors_for(user).filter(pk=vendor_id).first()
    if vendor is None:
        raise VendorNotFound
    status = 200
    if request.method == "POST":
        form = VendorForm(request.POST)
        if form.is_valid():
            saved = _saved(
                form,
                lambda data: services.update_vendor(vendor.pk, actor=user, changes=data),
            )
            if saved is not None:
                messages.success(request, _("Vendor saved: %(name)s.") % {"name": saved.name})
                return redirect("vendors:list")
        status = 400
    else:
        form = VendorForm(
            initial={
                "name": vendor.name,
                "contacts": vendor.contacts,
                "contract_reference": vendor.contract_reference,
                "warranty_reference": vendor.warranty_reference,
                "is_active": vendor.is_active,
            }
        )
    return render(
        request,
        "vendors/edit.html",
        {"nav": "vendors", "vendor": vendor, "form": form},
        status=status,
    )

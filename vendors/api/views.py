"""The vendors API: ``/api/v1/vendors/`` and ``/api/v1/tickets/{number}/vendor-cases/``.

Vendors: engineers, tech leads and managers read the list (an engineer picks a vendor
for a case); tech leads and admins add and change vendors (403 for everyone else).
Cases: whoever reads internal notes lists a ticket's cases (a requester is refused, 403;
someone who may not see the ticket gets 404); the engineer handling the ticket and tech
leads open (201), record updates and close them (403 for anyone else, 409 in a wrong
state, 400 naming the field for bad input).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from tickets import selectors as ticket_selectors
from tickets.models import Ticket
from vendors import permissions, selectors, services
from vendors.api.serializers import (
    CaseCloseSerializer,
    CaseNoteSerializer,
    CaseOpenSerializer,
    CaseUpdateSerializer,
    VendorCaseSerializer,
    VendorSerializer,
    VendorWriteSerializer,
)
from vendors.errors import VendorNotFound
from vendors.models import Vendor, VendorCase

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket (or not yours to see), case or vendor."),
    409: OpenApiResponse(description="Not in this state (the ticket's, or the case's)."),
}


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated ran first
        raise exceptions.NotAuthenticated
    return user


def _body(
    serializer_class: type[serializers.Serializer[None]], request: Request, *, partial: bool = False
) -> dict[str, Any]:
    body = serializer_class(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


# --- vendors --------------------------------------------------------------------------------


class VendorListView(generics.GenericAPIView[Vendor]):
    """The vendor list (paginated, by name); POST adds one (``name`` is required)."""

    serializer_class = VendorSerializer
    filter_backends: list[Any] = []
    queryset = Vendor.objects.none()

    def get_queryset(self) -> QuerySet[Vendor]:
        user = _user(self.request)
        if not permissions.can_read_vendors(user):
            raise exceptions.PermissionDenied("The vendor list is for the service desk.")
        return selectors.vendors_for(user)

    # A page past the end is a 404 (DRF's page-number pagination).
    @extend_schema(
        responses={200: VendorSerializer(many=True), 403: _ERRORS[403], 404: _ERRORS[404]}
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(VendorSerializer(page, many=True).data)

    @extend_schema(request=VendorWriteSerializer, responses={201: VendorSerializer, **_ERRORS})
    def post(self, request: Request) -> Response:
        user = _user(request)
        self.get_queryset()  # 403 for people who may not even read the list
        vendor = services.create_vendor(actor=user, **_body(VendorWriteSerializer, request))
        return Response(VendorSerializer(vendor).data, status=status.HTTP_201_CREATED)


class VendorDetailView(generics.GenericAPIView[Vendor]):
    """One vendor; PATCH changes the fields given (tech leads and admins)."""

    serializer_class = VendorSerializer
    filter_backends: list[Any] = []
    queryset = Vendor.objects.none()
    http_method_names = ["get", "patch", "head", "options"]

    def _vendor(self, vendor_id: int) -> Vendor:
        user = _user(self.request)
        if not permissions.can_read_vendors(user):
            raise exceptions.PermissionDenied("The vendor list is for the service desk.")
        vendor = selectors.vendors_for(user).filter(pk=vendor_id).first()
        if vendor is None:
            raise VendorNotFound
        return vendor

    @extend_schema(responses={200: VendorSerializer, 403: _ERRORS[403], 404: _ERRORS[404]})
    def get(self, request: Request, vendor_id: int) -> Response:
        return Response(VendorSerializer(self._vendor(vendor_id)).data)

    @extend_schema(request=VendorWriteSerializer, responses={200: VendorSerializer, **_ERRORS})
    def patch(self, request: Request, vendor_id: int) -> Response:
        vendor = self._vendor(vendor_id)
        changes = _body(VendorWriteSerializer, request, partial=True)
        saved = services.update_vendor(vendor.pk, actor=_user(request), changes=changes)
        return Response(VendorSerializer(saved).data)


# --- a ticket's cases -----------------------------------------------------------------------


class _CaseView(generics.GenericAPIView[VendorCase]):
    serializer_class = VendorCaseSerializer
    pagination_class = None  # a ticket has a handful of cases
    filter_backends: list[Any] = []
    queryset = VendorCase.objects.none()

    def _check_worker(self, user: User, ticket: Ticket) -> None:
        """Refused before the input is read: a wrong role is 403, never a 400."""
        if not permissions.can_work_cases(ticket, user):
            raise exceptions.PermissionDenied(
                "Only the engineer handling this ticket, or a tech lead, works its vendor cases."
            )

    def _fresh(self, ticket: Ticket, case_id: int) -> dict[str, Any]:
        return dict(VendorCaseSerializer(selectors.cases_of(ticket).get(pk=case_id)).data)


class TicketVendorCasesView(_CaseView):
    """The ticket's vendor cases, oldest first; POST opens one: the ticket waits on the
    vendor, its resolution clock pauses and the requester is due an update every 2 hours
    (``next_update_due_at``)."""

    @extend_schema(
        responses={200: VendorCaseSerializer(many=True), 403: _ERRORS[403], 404: _ERRORS[404]}
    )
    def get(self, request: Request, number: str) -> Response:
        user = _user(request)
        ticket = ticket_selectors.get_ticket_for(user, number)
        if not permissions.can_read_cases(user):
            raise exceptions.PermissionDenied("Vendor cases are the service desk's.")
        rows = selectors.cases_of(ticket)
        return Response(VendorCaseSerializer(rows, many=True).data)

    @extend_schema(request=CaseOpenSerializer, responses={201: VendorCaseSerializer, **_ERRORS})
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        ticket = ticket_selectors.get_ticket_for(user, number)
        self._check_worker(user, ticket)
        body = _body(CaseOpenSerializer, request)
        case = services.open_case(ticket.pk, actor=user, **body)
        return Response(self._fresh(ticket, case.pk), status=status.HTTP_201_CREATED)


class VendorCaseCloseView(_CaseView):
    """End the case (optional ``outcome``): the hold ends and the resolution clock resumes,
    its deadline moved by the working time the case was open."""

    @extend_schema(request=CaseCloseSerializer, responses={200: VendorCaseSerializer, **_ERRORS})
    def post(self, request: Request, number: str, case_id: int) -> Response:
        user = _user(request)
        ticket = ticket_selectors.get_ticket_for(user, number)
        self._check_worker(user, ticket)
        body = _body(CaseCloseSerializer, request)
        case = services.close_case(ticket.pk, case_id, actor=user, **body)
        return Response(self._fresh(ticket, case.pk))


class VendorCaseUpdatesView(_CaseView):
    """Record what the vendor said (``body``); ``share`` also sends it to the requester as a
    public reply, which restarts the 2-hour cadence."""

    @extend_schema(request=CaseNoteSerializer, responses={201: CaseUpdateSerializer, **_ERRORS})
    def post(self, request: Request, number: str, case_id: int) -> Response:
        user = _user(request)
        ticket = ticket_selectors.get_ticket_for(user, number)
        self._check_worker(user, ticket)
        body = _body(CaseNoteSerializer, request)
        update = services.record_update(ticket.pk, case_id, actor=user, **body)
        return Response(CaseUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

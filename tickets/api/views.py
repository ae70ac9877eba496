"""REST adapters: parse, call one service, render. No state is assigned here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from servicedesk.lib.api_http import SafeJSONParser
from tickets import selectors, services
from tickets.api import serializers as s
from tickets.api.links import TicketLinkActions
from tickets.api.pagination import CappedCountPagination
from tickets.api.search import PARAMETERS as SEARCH_PARAMETERS
from tickets.api.search import search_response, wants_search
from tickets.choices import Channel
from tickets.filters import TicketFilter
from tickets.models import Category, Ticket

_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket, or not yours to see."),
    409: OpenApiResponse(description="Not allowed in the ticket's current state."),
}


def _transition_schema(body: type[s.Body], summary: str) -> Callable[..., Any]:
    return extend_schema(
        request=body, responses={200: s.TicketSerializer, **_ERRORS}, summary=summary
    )


@extend_schema_view(
    list=extend_schema(
        parameters=SEARCH_PARAMETERS,  # ?q= searches every visible ticket (tickets/api/search.py)
        responses={
            200: s.TicketSerializer(many=True),
            400: OpenApiResponse(description="An invalid filter value; the body names it."),
            404: OpenApiResponse(description="No such page."),
        },
    ),
    retrieve=extend_schema(responses={200: s.TicketDetailSerializer, 404: _ERRORS[404]}),
)
class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    TicketLinkActions,  # merge, reopen, links (tickets/api/links.py)
    viewsets.GenericViewSet[Ticket],
):
    """Tickets visible to the caller, addressed by number (``IT-20261124-0042``)."""

    lookup_field = "number"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    queryset = Ticket.objects.none()  # the real rows come from get_queryset
    serializer_class = s.TicketSerializer
    filterset_class = TicketFilter
    pagination_class = CappedCountPagination
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def get_queryset(self) -> QuerySet[Ticket]:
        return selectors.ticket_list_for(self._user())

    def get_object(self) -> Ticket:
        return selectors.get_ticket_for(self._user(), self.kwargs["number"])

    def get_serializer_class(self) -> type[s.TicketSerializer]:
        # One ticket says why it was assigned automatically (a query the list does not pay).
        return s.TicketDetailSerializer if self.action == "retrieve" else s.TicketSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if wants_search(request):  # every ticket the caller may see, any state, ranked
            return search_response(self, self._user())
        return super().list(request, *args, **kwargs)

    def _respond(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.get_ticket_for(self._user(), ticket.number)
        return Response(s.TicketSerializer(fresh).data, status=code)

    def _body(self, serializer_class: type[s.Body]) -> dict[str, Any]:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    @extend_schema(
        request=s.TicketCreateSerializer, responses={201: s.TicketDetailSerializer, **_ERRORS}
    )
    def create(self, request: Request) -> Response:
        data = self._body(s.TicketCreateSerializer)
        requester = data.pop("requester", None)
        actor = self._user()
        channel = Channel.PHONE if requester and requester != actor else Channel.API
        ticket = services.submit_ticket(actor=actor, requester=requester, channel=channel, **data)
        fresh = selectors.get_ticket_for(actor, ticket.number)
        detail = s.TicketDetailSerializer(fresh, context={"request": request})
        return Response(detail.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TicketUpdateSerializer, responses={200: s.TicketSerializer, **_ERRORS})
    def partial_update(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        changes = self._body(s.TicketUpdateSerializer)
        ticket = services.update_ticket_details(ticket.pk, actor=self._user(), changes=changes)
        return self._respond(ticket)

    @_transition_schema(s.AcceptSerializer, "Accept (受理) a submitted ticket")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.AcceptSerializer)
        return self._respond(services.accept_ticket(ticket.pk, actor=self._user(), **data))

    @_transition_schema(s.DiagnoseSerializer, "Record the diagnosis (诊断)")
    @action(detail=True, methods=["post"])
    def diagnose(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.DiagnoseSerializer)
        return self._respond(services.diagnose_ticket(ticket.pk, actor=self._user(), **data))

    @_transition_schema(s.ResolveSerializer, "Resolve (解决) with the solution applied")
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.ResolveSerializer)
        return self._respond(services.resolve_ticket(ticket.pk, actor=self._user(), **data))

    @_transition_schema(s.VerifySerializer, "Confirm the fix (验证)")
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.VerifySerializer)
        return self._respond(services.verify_ticket(ticket.pk, actor=self._user(), **data))

    @_transition_schema(s.ReasonSerializer, "Reject the fix: the fault is still there")
    @action(detail=True, methods=["post"], url_path="reject_fix")
    def reject_fix(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.ReasonSerializer)
        return self._respond(services.reject_fix(ticket.pk, actor=self._user(), **data))

    @_transition_schema(s.EmptySerializer, "Close a verified ticket")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        return self._respond(services.close_ticket(ticket.pk, actor=self._user()))

    @_transition_schema(s.ReasonSerializer, "Cancel (withdraw) a ticket not yet diagnosed")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.ReasonSerializer)
        return self._respond(services.cancel_ticket(ticket.pk, actor=self._user(), **data))

    @_transition_schema(s.RequestInfoSerializer, "Ask the requester for missing details")
    @action(detail=True, methods=["post"], url_path="request_info")
    def request_info(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.RequestInfoSerializer)
        return self._respond(services.request_info(ticket.pk, actor=self._user(), **data))

    @_transition_schema(s.PrioritySerializer, "Override the priority, with a reason")
    @action(detail=True, methods=["post"])
    def priority(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.PrioritySerializer)
        return self._respond(services.change_priority(ticket.pk, actor=self._user(), **data))

    @_transition_schema(
        s.AssignSerializer,
        "Dispatch (派单) or reassign (转派) a ticket to an engineer, with a reason",
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = self._body(s.AssignSerializer)
        return self._respond(services.assign_ticket(ticket.pk, actor=self._user(), **data))

    @extend_schema(
        methods=["GET"], responses={200: s.MessageSerializer(many=True), 404: _ERRORS[404]}
    )
    @extend_schema(
        methods=["POST"],
        request=s.MessageCreateSerializer,
        responses={201: s.MessageSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def messages(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        if request.method == "POST":
            data = self._body(s.MessageCreateSerializer)
            message = services.add_message(ticket.pk, actor=self._user(), **data)
            fresh = selectors.messages_for(self._user(), ticket).get(pk=message.pk)
            return Response(s.MessageSerializer(fresh).data, status=status.HTTP_201_CREATED)
        rows = selectors.messages_for(self._user(), ticket)
        return Response(s.MessageSerializer(rows, many=True).data)

    @extend_schema(
        methods=["GET"], responses={200: s.AttachmentSerializer(many=True), 404: _ERRORS[404]}
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer(many=True), **_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def attachments(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        if request.method == "POST":
            files = request.FILES.getlist("file")
            stored = services.add_attachments(ticket.pk, actor=self._user(), files=files)
            rows = selectors.attachments_for(self._user(), ticket).filter(
                pk__in=[a.pk for a in stored]
            )
            return Response(
                s.AttachmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED
            )
        rows = selectors.attachments_for(self._user(), ticket)
        return Response(s.AttachmentSerializer(rows, many=True).data)

    @extend_schema(responses={200: s.EventSerializer(many=True), 404: _ERRORS[404]})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        rows = selectors.events_for(self._user(), ticket)
        return Response(s.EventSerializer(rows, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(
        responses={
            200: s.CategorySerializer,
            404: OpenApiResponse(description="No such active category."),
        }
    )
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet[Category]):
    """Active fault categories and sub-categories."""

    serializer_class = s.CategorySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    pagination_class = None
    filterset_class = None

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.active_categories()

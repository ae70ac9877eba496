"""The API of related tickets, merging and reopening, as actions of ``TicketViewSet``.

``POST /tickets/{number}/merge/`` (``into``), ``POST /tickets/{number}/reopen/``
(``reason``), ``GET|POST /tickets/{number}/links/`` (``ticket``) and
``DELETE /tickets/{number}/links/{other_number}/``. Errors as everywhere in the API
(``tickets/api/errors.py``): 404 not visible, 403 not allowed, 409 wrong state, 400 naming
the field.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from tickets import related, selectors, services
from tickets.api.serializers import Body, TicketSerializer
from tickets.choices import LinkKind, TicketState
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Ticket

_NUMBER = max_length(Ticket, "number")
_ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    403: OpenApiResponse(description="You may not do this."),
    404: OpenApiResponse(description="No such ticket, or not yours to see."),
    409: OpenApiResponse(description="Not allowed in the ticket's current state."),
}


class MergeSerializer(Body):
    into = serializers.CharField(
        max_length=_NUMBER, help_text="Number of the ticket that stays (the survivor)."
    )


class ReopenSerializer(Body):
    reason = serializers.CharField(max_length=TEXT_MAX, help_text="What is wrong again.")


class LinkCreateSerializer(Body):
    ticket = serializers.CharField(max_length=_NUMBER, help_text="Number of the other ticket.")


class LinkSerializer(serializers.Serializer[related.Related]):
    """A link as seen from this ticket: the other ticket, and how they relate."""

    number = serializers.CharField(source="other.number")
    title = serializers.CharField(source="other.title")
    state = serializers.ChoiceField(choices=TicketState.choices, source="other.state")
    kind = serializers.ChoiceField(choices=LinkKind.choices)
    relation = serializers.ChoiceField(
        choices=["related", "follow_up_of", "followed_up_by"],
        help_text="``follow_up_of``: this ticket was filed as a follow-up of the other one.",
    )
    created_at = serializers.DateTimeField()


MERGE_RESULT = inline_serializer(
    "MergeResult", {"duplicate": TicketSerializer(), "survivor": TicketSerializer()}
)


class TicketLinkActions(viewsets.GenericViewSet[Ticket]):
    """Mixed into ``TicketViewSet``: the tickets are the caller's visible ones, by number."""

    def _caller(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        return user

    def _ticket(self, number: str) -> Ticket:
        return selectors.get_ticket_for(self._caller(), number)

    def _data(self, serializer_class: type[Body]) -> dict[str, Any]:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _ticket_data(self, number: str) -> dict[str, Any]:
        return dict(TicketSerializer(self._ticket(number)).data)

    @extend_schema(
        request=MergeSerializer,
        responses={200: MERGE_RESULT, **_ERRORS},
        summary="Close this ticket as a duplicate of another, moving its conversation there",
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, number: str) -> Response:
        ticket = self._ticket(number)
        into = self._data(MergeSerializer)["into"]
        survivor = services.merge_ticket(ticket.pk, actor=self._caller(), into=into)
        return Response(
            {
                "duplicate": self._ticket_data(ticket.number),
                "survivor": self._ticket_data(survivor.number),
            }
        )

    @extend_schema(
        request=ReopenSerializer,
        responses={200: TicketSerializer, **_ERRORS},
        summary="Reopen a finished ticket (requester, or tech lead), with a reason",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, number: str) -> Response:
        ticket = self._ticket(number)
        reason = self._data(ReopenSerializer)["reason"]
        services.reopen_ticket(ticket.pk, actor=self._caller(), reason=reason)
        return Response(self._ticket_data(ticket.number))

    @extend_schema(
        methods=["GET"],
        responses={200: LinkSerializer(many=True), 404: _ERRORS[404]},
        summary="Related tickets the caller may see",
    )
    @extend_schema(
        methods=["POST"],
        request=LinkCreateSerializer,
        responses={201: LinkSerializer, **_ERRORS},
        summary="Link another ticket as related (engineers, tech leads)",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def links(self, request: Request, number: str) -> Response:
        ticket = self._ticket(number)
        user = self._caller()
        if request.method == "POST":
            other = self._data(LinkCreateSerializer)["ticket"]
            link = services.link_tickets(ticket.pk, actor=user, other=other)
            made = [r for r in related.links_for(user, ticket) if r.other.pk == link.to_ticket_id]
            return Response(LinkSerializer(made[0]).data, status=status.HTTP_201_CREATED)
        return Response([LinkSerializer(row).data for row in related.links_for(user, ticket)])

    @extend_schema(
        request=None,
        responses={204: None, 403: _ERRORS[403], 404: _ERRORS[404]},
        summary="Remove the link to another ticket (engineers, tech leads)",
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"links/(?P<other_number>[A-Za-z0-9-]+)",
        url_name="link-detail",
    )
    def unlink(self, request: Request, number: str, other_number: str) -> Response:
        ticket = self._ticket(number)
        services.unlink_tickets(ticket.pk, actor=self._caller(), other=other_number)
        return Response(status=status.HTTP_204_NO_CONTENT)

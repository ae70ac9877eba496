"""API shapes of the satisfaction survey."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feedback import rules, services
from feedback.models import Survey
from tickets.api.serializers import Body, PersonSerializer
from tickets.limits import max_length

RATING_HELP = (
    "1 very dissatisfied (非常不满意), 2 dissatisfied, 3 neutral, 4 satisfied, "
    "5 very satisfied (非常满意)."
)


def _rating(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=5, help_text=f"{help_text} {RATING_HELP}"
    )


class AnswerSerializer(Body):
    """The requester's answer (all three ratings each time; the texts may be empty)."""

    speed = _rating("Response speed.")
    quality = _rating("Solution quality.")
    attitude = _rating("Service attitude.")
    comment = serializers.CharField(
        max_length=max_length(Survey, "comment"), allow_blank=True, trim_whitespace=False
    )
    suggestions = serializers.CharField(
        max_length=max_length(Survey, "suggestions"),
        allow_blank=True,
        required=False,
        default="",
        trim_whitespace=False,
    )


class TicketRefSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    assignee = PersonSerializer(allow_null=True)


class SurveySerializer(serializers.ModelSerializer[Survey]):
    """One ticket's survey: when it was sent, when the ticket closes unanswered, the answer
    (ratings ``null`` until answered) and until when it may be changed."""

    ticket = serializers.SerializerMethodField()
    requester = PersonSerializer(read_only=True)
    answered = serializers.SerializerMethodField()
    editable_until = serializers.SerializerMethodField()
    accepts_answers = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "ticket",
            "requester",
            "invited_at",
            "close_at",
            "answered",
            "answered_at",
            "updated_at",
            "editable_until",
            "accepts_answers",
            "speed",
            "quality",
            "attitude",
            "comment",
            "suggestions",
        ]
        read_only_fields = fields

    @extend_schema_field(TicketRefSerializer)
    def get_ticket(self, obj: Survey) -> dict[str, Any]:
        ticket = obj.ticket
        return {
            "number": ticket.number,
            "title": ticket.title,
            "state": ticket.state,
            "assignee": PersonSerializer(ticket.assignee).data if ticket.assignee else None,
        }

    def get_answered(self, obj: Survey) -> bool:
        return obj.answered_at is not None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_editable_until(self, obj: Survey) -> str | None:
        if obj.answered_at is None:
            return None
        value: str = serializers.DateTimeField().to_representation(
            rules.editable_until(obj.answered_at)
        )
        return value

    def get_accepts_answers(self, obj: Survey) -> bool:
        """Whether the requester may answer (or change her answer) now: the ticket is
        verified or closed as completed, and the edit window has not passed."""
        return services.is_answerable(obj.ticket) and rules.is_editable(
            obj.answered_at, timezone.now()
        )

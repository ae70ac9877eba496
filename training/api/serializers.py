"""Shapes of the training API: sessions, assessments, drills, and the bodies they take.

A drill is shown to its reader: the symptom (``title``, ``symptom``, ``scenario``,
``attachments``) only once its engineer has started it, and ``answer_key`` (the ticket's
number, root cause, plan and solution) is ``null`` for the drill's own engineer until it
is scored (``training.permissions.sees_answer_key``). Write bodies are checked here for
shape and length; the services check them again (who may take part, states, limits).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from accounts.models import User
from people.choices import SkillLevel
from tickets.limits import max_length
from tickets.models import Category
from training import permissions, selectors
from training.choices import RECORDED, AssessmentKind, DrillStatus, TrainingKind
from training.models import Assessment, Attendance, Drill, SessionSkill, TrainingSession
from training.services.drills import TIME_LIMIT
from training.services.sessions import DURATION


class AttendeeSerializer(serializers.ModelSerializer[Attendance]):
    username = serializers.CharField(source="engineer.username", read_only=True)
    name = serializers.CharField(source="engineer.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["username", "name", "status", "recorded_at"]
        read_only_fields = fields


class SkillSerializer(serializers.ModelSerializer[SessionSkill]):
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = SessionSkill
        fields = ["category", "level"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer[TrainingSession]):
    trainer: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    cancelled_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    attendees = AttendeeSerializer(source="attendance", many=True, read_only=True)
    skills = SkillSerializer(many=True, read_only=True)
    articles = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "title",
            "kind",
            "starts_at",
            "duration_minutes",
            "location",
            "description",
            "trainer",
            "pass_mark",
            "attendees",
            "skills",
            "articles",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "url",
        ]
        read_only_fields = fields

    def get_articles(self, session: TrainingSession) -> list[int]:
        """The knowledge articles the caller may read (the others are not named)."""
        return [a.pk for a in session.articles.all()]

    def get_url(self, session: TrainingSession) -> str:
        return reverse("training:session", args=[session.pk])


class SkillWriteSerializer(serializers.Serializer[None]):
    category = serializers.SlugField(max_length=64)
    level = serializers.ChoiceField(choices=SkillLevel.choices)


class SessionWriteSerializer(serializers.Serializer[None]):
    """POST (``title``, ``kind``, ``starts_at``, ``trainer``, ``attendees`` required) and
    PATCH (any of them; ``attendees``, ``articles`` and ``skills`` replace the lists)."""

    title = serializers.CharField(max_length=max_length(TrainingSession, "title"))
    kind = serializers.ChoiceField(choices=TrainingKind.choices)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=DURATION[0], max_value=DURATION[1], required=False
    )
    location = serializers.CharField(
        max_length=max_length(TrainingSession, "location"), required=False, allow_blank=True
    )
    description = serializers.CharField(
        max_length=max_length(TrainingSession, "description"), required=False, allow_blank=True
    )
    trainer = serializers.CharField(max_length=150, help_text="A username.")
    attendees = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=200, help_text="Usernames."
    )
    pass_mark = serializers.IntegerField(min_value=0, max_value=100, required=False)
    articles = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=50, required=False
    )
    skills = SkillWriteSerializer(many=True, required=False)


class SessionCancelSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(
        max_length=max_length(TrainingSession, "cancel_reason"),
        required=False,
        allow_blank=True,
        help_text="Why, shown on the session's page.",
    )


class AttendanceMarkSerializer(serializers.Serializer[None]):
    engineer = serializers.CharField(max_length=150, help_text="An attendee's username.")
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in RECORDED])


class AttendanceWriteSerializer(serializers.Serializer[None]):
    attendance = serializers.ListField(
        child=AttendanceMarkSerializer(), allow_empty=False, max_length=200
    )


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    engineer: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    assessed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    drill = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "engineer",
            "kind",
            "score",
            "passed",
            "notes",
            "session",
            "drill",
            "skills_granted",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = fields

    def get_drill(self, assessment: Assessment) -> int | None:
        drill = getattr(assessment, "drill", None)
        return drill.pk if drill is not None else None


class AssessmentWriteSerializer(serializers.Serializer[None]):
    engineer = serializers.CharField(max_length=150, help_text="A username.")
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in AssessmentKind if k != AssessmentKind.DRILL],
        required=False,
        help_text="Defaults to the session's kind; drills are scored on the drill.",
    )
    score = serializers.IntegerField(min_value=0, max_value=100)
    notes = serializers.CharField(
        max_length=max_length(Assessment, "notes"), required=False, allow_blank=True
    )
    session = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class AnswerKeySerializer(serializers.Serializer[None]):
    number = serializers.CharField(help_text="The ticket the drill was built from.")
    root_cause_type = serializers.CharField()
    root_cause = serializers.CharField()
    impact_scope = serializers.CharField()
    solution_plan = serializers.CharField()
    solution = serializers.CharField()


class DrillFileSerializer(serializers.Serializer[None]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class DrillSerializer(serializers.Serializer[Drill]):
    """One drill as its reader may see it (``context["user"]``)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=DrillStatus.choices)
    engineer = serializers.CharField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    category = serializers.CharField()
    time_limit_minutes = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.DateTimeField(allow_null=True)
    title = serializers.CharField(allow_null=True, help_text="null until the drill is started.")
    symptom = serializers.CharField(allow_null=True)
    scenario = serializers.CharField(allow_null=True)
    attachments = DrillFileSerializer(many=True, allow_null=True)
    diagnosis = serializers.CharField(allow_null=True)
    plan = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.BooleanField()
    withdrawn_at = serializers.DateTimeField(
        allow_null=True, help_text="When a tech lead withdrew it (status ``withdrawn``)."
    )
    score = serializers.IntegerField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
    answer_key = AnswerKeySerializer(
        allow_null=True,
        help_text="What solved the ticket: null for the drill's engineer until it is scored.",
    )

    def to_representation(self, drill: Drill) -> dict[str, Any]:
        user = self.context["user"]
        is_engineer = permissions.is_drills_engineer(drill, user)
        # Its engineer sees the symptom once they started it (withdrawn before: never).
        shows = drill.started_at is not None if is_engineer else True
        scored = drill.assessment if drill.status == DrillStatus.SCORED else None
        answered = drill.answered_at is not None
        files = None
        if shows:
            files = [
                {
                    "id": a.pk,
                    "name": a.original_name,
                    "size": a.size,
                    "url": reverse("training:drill_file", args=[drill.pk, a.pk]),
                }
                for a in drill.attachments.all()
            ]
        return {
            "id": drill.pk,
            "number": drill.number,
            "status": drill.status,
            "engineer": drill.engineer.username,
            "created_by": drill.created_by.username,
            "created_at": serializers.DateTimeField().to_representation(drill.created_at),
            "category": drill.ticket.category.slug,
            "time_limit_minutes": drill.time_limit_minutes,
            "started_at": _moment(drill.started_at),
            "deadline_at": _moment(drill.deadline_at),
            "title": drill.title if shows else None,
            "symptom": drill.symptom if shows else None,
            "scenario": drill.scenario if shows else None,
            "attachments": files,
            "diagnosis": drill.diagnosis if answered else None,
            "plan": drill.plan if answered else None,
            "answered_at": _moment(drill.answered_at),
            "is_late": drill.is_late,
            "withdrawn_at": _moment(drill.withdrawn_at),
            "score": scored.score if scored is not None else None,
            "notes": scored.notes if scored is not None else None,
            "answer_key": (
                selectors.answer_key(drill) if permissions.sees_answer_key(drill, user) else None
            ),
        }


def _moment(value: Any) -> str | None:
    return None if value is None else serializers.DateTimeField().to_representation(value)


class DrillWriteSerializer(serializers.Serializer[None]):
    """A drill from a resolved ticket; the texts left out are copied from it, the files
    default to those its requester sent."""

    ticket = serializers.CharField(max_length=32, help_text="The ticket's number.")
    engineer = serializers.CharField(max_length=150, help_text="A username.")
    time_limit_minutes = serializers.IntegerField(
        min_value=TIME_LIMIT[0], max_value=TIME_LIMIT[1], required=False, default=30
    )
    title = serializers.CharField(
        max_length=max_length(Drill, "title"), required=False, allow_blank=True
    )
    symptom = serializers.CharField(
        max_length=max_length(Drill, "symptom"), required=False, allow_blank=True
    )
    scenario = serializers.CharField(
        max_length=max_length(Drill, "scenario"), required=False, allow_blank=True
    )
    attachments = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=50,
        required=False,
        help_text="Ids of the ticket's public files.",
    )


class DrillAnswerSerializer(serializers.Serializer[None]):
    diagnosis = serializers.CharField(max_length=max_length(Drill, "diagnosis"))
    plan = serializers.CharField(max_length=max_length(Drill, "plan"))


class DrillScoreSerializer(serializers.Serializer[None]):
    score = serializers.IntegerField(min_value=0, max_value=100)
    notes = serializers.CharField(
        max_length=max_length(Assessment, "notes"), required=False, allow_blank=True
    )

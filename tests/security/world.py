"""Real things for the API's path parameters, shared by the hostile-input and scanner suites."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from training.models import Attendance, Drill, TrainingSession


def training_session(engineer: Any) -> int:
    """A training session that started an hour ago, with ``engineer`` attending."""
    now = timezone.now()
    session = TrainingSession.objects.create(
        title="Deploying the new OS",
        kind="technical",
        starts_at=now - dt.timedelta(hours=1),
        trainer=engineer,
        created_by=engineer,
        created_at=now,
        updated_at=now,
    )
    Attendance.objects.create(session=session, engineer=engineer)
    return session.pk


def drill(ticket: Any, engineer: Any) -> int:
    """A drill built from ``ticket`` that ``engineer`` has started, 30 minutes to answer."""
    now = timezone.now()
    return Drill.objects.create(
        ticket=ticket,
        engineer=engineer,
        status="started",
        title="Printer prints blank pages",
        symptom="Every page comes out blank.",
        created_by=engineer,
        created_at=now,
        started_at=now,
        deadline_at=now + dt.timedelta(minutes=30),
    ).pk

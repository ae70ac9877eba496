"""Each engineer's training results over a period, for the per-engineer report (``reports``).

One statement whatever the number of engineers: sessions attended (``attended`` recorded,
the session starting in the period), and the sum and count of the scores of assessments
recorded in the period — technical and service ones apart from drills — so the report
averages them per engineer and over its total row exactly (an average of averages is not
an average).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from servicedesk.lib.sql import table
from training.choices import AssessmentKind, AttendanceStatus
from training.models import Assessment, Attendance, TrainingSession


@dataclass(frozen=True)
class Figures:
    attended: int = 0
    assessment_total: int = 0  # sum of the technical and service scores
    assessments: int = 0
    drill_total: int = 0
    drills: int = 0


def figures_by_engineer(
    engineer_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, Figures]:
    """``{engineer id: Figures}`` for ``start <= moment < end`` (engineers with nothing are
    left out). Always one query, also for no engineers."""
    sql = f"""
        SELECT engineer_id, sum(attended), sum(a_total), sum(a_n), sum(d_total), sum(d_n)
        FROM (
            SELECT a.engineer_id, 1 AS attended, 0 AS a_total, 0 AS a_n, 0 AS d_total, 0 AS d_n
            FROM {table(Attendance)} a JOIN {table(TrainingSession)} s ON s.id = a.session_id
            WHERE a.status = %(attended)s AND s.starts_at >= %(start)s AND s.starts_at < %(end)s
              AND a.engineer_id = ANY(%(ids)s)
            UNION ALL
            SELECT x.engineer_id, 0,
                   CASE WHEN x.kind <> %(drill)s THEN x.score ELSE 0 END,
                   CASE WHEN x.kind <> %(drill)s THEN 1 ELSE 0 END,
                   CASE WHEN x.kind = %(drill)s THEN x.score ELSE 0 END,
                   CASE WHEN x.kind = %(drill)s THEN 1 ELSE 0 END
            FROM {table(Assessment)} x
            WHERE x.assessed_at >= %(start)s AND x.assessed_at < %(end)s
              AND x.engineer_id = ANY(%(ids)s)
        ) u
        GROUP BY engineer_id
    """  # noqa: S608 (table names from the models; values are parameters)
    params: dict[str, Any] = {
        "attended": AttendanceStatus.ATTENDED.value,
        "drill": AssessmentKind.DRILL.value,
        "start": start,
        "end": end,
        "ids": list(engineer_ids),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            row[0]: Figures(*(int(value or 0) for value in row[1:])) for row in cursor.fetchall()
        }

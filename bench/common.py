"""Helpers shared by the bench scripts: database names, Django set-up, percentiles."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
ARTIFACTS = BENCH / ".artifacts"
PG = "postgres://postgres@127.0.0.1:5432"


def db_url(name: str) -> str:
    return f"{PG}/{name}"


def ensure_database(name: str) -> bool:
    """Create the database if it is missing; True when it was created."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found:
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def setup_django(database: str) -> None:
    """Point Django at ``database`` with the bench settings, then ``django.setup()``."""
    os.environ["DATABASE_URL"] = db_url(database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values) if values else float("nan"),
        "p95": pct(values, 95),
        "max": max(values) if values else float("nan"),
        "n": len(values),
    }

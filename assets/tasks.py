"""Celery tasks of the device register (thin adapters over ``services``)."""

from __future__ import annotations

from celery import shared_task

from assets import services


@shared_task(soft_time_limit=600, time_limit=660)
def import_assets(job_id: str) -> str:
    """Run an import job (idempotent: a job already taken is left alone)."""
    return services.run_import(job_id).state

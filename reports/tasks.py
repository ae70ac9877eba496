"""Celery finds the reports area's tasks here: the scheduled summaries, the weekly review
and the monthly audit live with their features."""

from reports.review import tasks as review_tasks
from reports.summary import tasks as summary_tasks

__all__ = ["review_tasks", "summary_tasks"]

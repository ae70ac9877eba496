"""The reports area's models, one module per feature: ``access`` (the permission holder),
``facts`` (the per-ticket rollup the reports read), ``review`` (the weekly problem review)
and ``audit`` (the monthly process audit)."""

from reports.models.access import ReportAccess
from reports.models.audit import *  # noqa: F403
from reports.models.facts import *  # noqa: F403
from reports.models.review import *  # noqa: F403

__all__ = ["ReportAccess"]

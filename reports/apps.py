from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Declarations reach accounts' registry once every model is loaded.
        from accounts import roles
        from reports.permissions import CAPABILITIES, ROLE_GRANTS

        roles.declare("reports", ROLE_GRANTS, CAPABILITIES)

        # The scheduled summaries' notification kinds (reports/summary/).
        from notifications import kinds
        from reports.summary.kinds import SummaryNotice

        kinds.register(SummaryNotice)

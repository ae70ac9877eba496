"""What the reports area declares: reading manager reports, granted to managers, tech leads
(who run the desk day to day and the weekly review from the same numbers) and admins."""

from __future__ import annotations

from accounts.roles import Role

REPORT_PERMISSIONS = [("view_reports", "Can read manager reports")]

ROLE_GRANTS: dict[str, list[str]] = {
    Role.MANAGER: ["view_reports"],
    Role.TECH_LEAD: ["view_reports"],
    Role.ADMIN: ["view_reports"],
}

CAPABILITIES = {"view_reports": "view_reports"}

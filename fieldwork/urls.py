"""Pages of the engineer's field work, under /tickets/<number>/… beside the ticket's own."""

from django.urls import path  # noqa: F401  (each feature adds its routes below)

from fieldwork.views import checks as check_views
from fieldwork.views import consents as consent_views
from fieldwork.views import plans as plan_views
from fieldwork.views import visits as visit_views
from fieldwork.views import worklogs as worklog_views

app_name = "fieldwork"
urlpatterns: list = [  # type: ignore[type-arg]
    # Remote-session consent (R3.1) and the work log (R4.1).
    path("<str:number>/consents/", consent_views.consent_request, name="consent_request"),
    path(
        "<str:number>/consents/<int:consent_id>/grant/",
        consent_views.consent_grant,
        name="consent_grant",
    ),
    path(
        "<str:number>/consents/<int:consent_id>/refuse/",
        consent_views.consent_refuse,
        name="consent_refuse",
    ),
    path(
        "<str:number>/consents/<int:consent_id>/revoke/",
        consent_views.consent_revoke,
        name="consent_revoke",
    ),
    path("<str:number>/worklog/", worklog_views.worklog_add, name="worklog_add"),
    path("<str:number>/worklog/progress/", worklog_views.worklog_progress, name="worklog_progress"),
    path("worklog/engineers/", worklog_views.worklog_engineers, name="worklog_engineers"),
    # The plan and its operation window (R3.3–R3.5), functional checks (R5.2).
    path("<str:number>/plan/", plan_views.record_plan, name="plan"),
    path("<str:number>/plan/confirm/", plan_views.confirm_plan, name="plan_confirm"),
    path("<str:number>/checks/", check_views.add_check, name="check_add"),
    path("<str:number>/checks/record/", check_views.record_checks, name="check_record_all"),
    path("<str:number>/checks/<int:check_id>/", check_views.record_check, name="check_record"),
    # On-site visits (R3.2, R4.2) and the ticket's device.
    path("<str:number>/visits/", visit_views.visit_schedule, name="visit_schedule"),
    path(
        "<str:number>/visits/<int:visit_id>/confirm/",
        visit_views.visit_confirm,
        name="visit_confirm",
    ),
    path(
        "<str:number>/visits/<int:visit_id>/propose/",
        visit_views.visit_propose,
        name="visit_propose",
    ),
    path(
        "<str:number>/visits/<int:visit_id>/reschedule/",
        visit_views.visit_reschedule,
        name="visit_reschedule",
    ),
    path(
        "<str:number>/visits/<int:visit_id>/cancel/", visit_views.visit_cancel, name="visit_cancel"
    ),
    path(
        "<str:number>/visits/<int:visit_id>/complete/",
        visit_views.visit_complete,
        name="visit_complete",
    ),
    path("<str:number>/asset/", visit_views.ticket_device, name="ticket_device"),
]

"""API of the engineer's field work: /api/v1/tickets/{number}/consents/ … and /api/v1/assets/."""

from django.urls import path  # noqa: F401  (each feature adds its routes below)

from fieldwork.api import checks, consents, plans, visits, worklogs

app_name = "fieldwork-api"
urlpatterns: list = [  # type: ignore[type-arg]
    # Remote-session consent (R3.1) and the work log (R4.1).
    path(
        "tickets/<str:number>/consents/",
        consents.TicketConsentsView.as_view(),
        name="ticket-consents",
    ),
    path(
        "tickets/<str:number>/consents/<int:consent_id>/grant/",
        consents.ConsentGrantView.as_view(),
        name="consent-grant",
    ),
    path(
        "tickets/<str:number>/consents/<int:consent_id>/refuse/",
        consents.ConsentRefuseView.as_view(),
        name="consent-refuse",
    ),
    path(
        "tickets/<str:number>/consents/<int:consent_id>/revoke/",
        consents.ConsentRevokeView.as_view(),
        name="consent-revoke",
    ),
    path(
        "tickets/<str:number>/worklogs/",
        worklogs.TicketWorkLogsView.as_view(),
        name="ticket-worklogs",
    ),
    # The plan and its operation window (R3.3–R3.5), functional checks (R5.2).
    path("tickets/<str:number>/plan/", plans.TicketPlanView.as_view(), name="ticket-plan"),
    path(
        "tickets/<str:number>/plan/confirm/",
        plans.PlanConfirmView.as_view(),
        name="ticket-plan-confirm",
    ),
    path("tickets/<str:number>/checks/", checks.TicketChecksView.as_view(), name="ticket-checks"),
    path(
        "tickets/<str:number>/checks/<int:check_id>/",
        checks.TicketCheckView.as_view(),
        name="ticket-check",
    ),
    # On-site visits (R3.2, R4.2) and the ticket's device.
    path("tickets/<str:number>/visits/", visits.TicketVisitsView.as_view(), name="ticket-visits"),
    path(
        "tickets/<str:number>/visits/<int:visit_id>/confirm/",
        visits.VisitConfirmView.as_view(),
        name="visit-confirm",
    ),
    path(
        "tickets/<str:number>/visits/<int:visit_id>/propose/",
        visits.VisitProposeView.as_view(),
        name="visit-propose",
    ),
    path(
        "tickets/<str:number>/visits/<int:visit_id>/reschedule/",
        visits.VisitRescheduleView.as_view(),
        name="visit-reschedule",
    ),
    path(
        "tickets/<str:number>/visits/<int:visit_id>/cancel/",
        visits.VisitCancelView.as_view(),
        name="visit-cancel",
    ),
    path(
        "tickets/<str:number>/visits/<int:visit_id>/complete/",
        visits.VisitCompleteView.as_view(),
        name="visit-complete",
    ),
    path("tickets/<str:number>/asset/", visits.TicketDeviceView.as_view(), name="ticket-asset"),
]

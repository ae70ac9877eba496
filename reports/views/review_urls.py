"""The weekly problem review and the monthly process audit (``/reports/reviews/…``,
``/reports/audits/…``)."""

from django.urls import path

from reports.views import audit, review

urlpatterns = [
    path("reviews/", review.review_list, name="review_list"),
    path("reviews/generate/", review.review_generate, name="review_generate"),
    path("reviews/<int:review_id>/", review.review_detail, name="review_detail"),
    path("reviews/<int:review_id>/close/", review.review_close, name="review_close"),
    path("reviews/<int:review_id>/actions/", review.review_action_add, name="review_action_add"),
    path(
        "reviews/<int:review_id>/actions/<int:review_action_id>/",
        review.review_action_edit,
        name="review_action_edit",
    ),
    path("audits/", audit.audit_list, name="audit_list"),
    path("audits/draw/", audit.audit_draw, name="audit_draw"),
    path("audits/<int:audit_id>/", audit.audit_detail, name="audit_detail"),
    path("audits/<int:audit_id>/print/", audit.audit_print, name="audit_print"),
    path("audits/<int:audit_id>/close/", audit.audit_close, name="audit_close"),
    path(
        "audits/<int:audit_id>/tickets/<int:audit_item_id>/",
        audit.audit_confirm,
        name="audit_confirm",
    ),
]

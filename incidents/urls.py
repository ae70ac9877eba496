"""Pages of major incidents (included at ``incidents/``, namespace ``incidents``).

The names other parts reverse: ``incidents:list``, ``incidents:new`` (the declaration form;
``?ticket=<ticket number>`` declares from a ticket), ``incidents:live`` (the live page,
kwarg ``number`` = the ``MI-…`` number). Every path under ``<str:number>/`` takes the
incident's number.
"""

from django.urls import path

from incidents import views, views_link, views_review

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.declare, name="new"),
    # "Link to the ongoing incident" from the queue and the work view (views_link.py);
    # before "<number>/", which would take "link-from-queue" for a number.
    path("link-from-queue/", views_link.link_from_queue, name="link_from_queue"),
    path("link-ticket/<str:number>/", views_link.link_ticket, name="link_ticket"),
    path("<str:number>/", views.live, name="live"),
    path("<str:number>/members/", views.add_member, name="add_member"),
    path("<str:number>/status/", views.post_status, name="post_status"),
    path("<str:number>/restore/", views.restore, name="restore"),
    path("<str:number>/link/", views.link, name="link"),
    # The post-incident review (views_review.py).
    path("<str:number>/review/", views_review.review_page, name="review"),
    path("<str:number>/review/actions/", views_review.action_add, name="review_action_add"),
    path(
        "<str:number>/review/actions/<int:action_id>/",
        views_review.action_edit,
        name="review_action_edit",
    ),
    path(
        "<str:number>/review/actions/<int:action_id>/done/",
        views_review.action_done,
        name="review_action_done",
    ),
]

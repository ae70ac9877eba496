from django.urls import path

from tickets import views
from tickets.views import bulk as bulk_views
from tickets.views import callers as caller_views
from tickets.views import canned as canned_views
from tickets.views import links as link_views
from tickets.views import saved_views
from tickets.views import search as search_views
from tickets.views import watchers as watcher_views

app_name = "tickets"
urlpatterns = [
    path("new/", views.new_ticket, name="new"),
    path("call/", views.log_call, name="call"),
    path("call/callers/", caller_views.callers, name="call_callers"),
    path("mine/", views.my_tickets, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("search/", search_views.search_page, name="search"),  # before "<str:number>/"
    path("queue/bulk/", bulk_views.bulk, name="bulk"),
    path("queue/views/", saved_views.save_view, name="save_view"),
    path("queue/views/<int:view_id>/rename/", saved_views.rename_view, name="rename_view"),
    path("queue/views/<int:view_id>/delete/", saved_views.delete_view, name="delete_view"),
    # Before "<str:number>/", which would take "canned-replies" for a ticket number.
    path("canned-replies/", canned_views.canned_replies, name="canned_replies"),
    path("canned-replies/new/", canned_views.canned_new, name="canned_new"),
    path("canned-replies/<int:reply_id>/", canned_views.canned_edit, name="canned_edit"),
    path("canned-replies/<int:reply_id>/delete/", canned_views.canned_delete, name="canned_delete"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/report/", views.service_report, name="report"),
    path(
        "<str:number>/attachments/<int:attachment_id>/",
        views.download_attachment,
        name="attachment",
    ),
    path("<str:number>/accept/", views.accept, name="accept"),
    path("<str:number>/diagnose/", views.diagnose, name="diagnose"),
    path("<str:number>/resolve/", views.resolve, name="resolve"),
    path("<str:number>/verify/", views.verify, name="verify"),
    path("<str:number>/reject/", views.reject, name="reject"),
    path("<str:number>/close/", views.close, name="close"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
    path("<str:number>/request-info/", views.request_info, name="request_info"),
    path("<str:number>/reply/", views.reply, name="reply"),
    path("<str:number>/priority/", views.change_priority, name="priority"),
    path("<str:number>/priority/preview/", views.preview_priority, name="priority_preview"),
    path("<str:number>/assign/", views.assign, name="assign"),
    path("<str:number>/links/", link_views.link, name="link"),
    path("<str:number>/unlink/", link_views.unlink, name="unlink"),
    path("<str:number>/merge/", link_views.merge, name="merge"),
    path("<str:number>/reopen/", link_views.reopen, name="reopen"),
    path("<str:number>/canned/<int:reply_id>/", canned_views.canned_render, name="canned_render"),
    path("<str:number>/watchers/add/", watcher_views.watcher_add, name="watcher_add"),
    path("<str:number>/watchers/remove/", watcher_views.watcher_remove, name="watcher_remove"),
    path(
        "<str:number>/watchers/candidates/",
        watcher_views.watcher_candidates,
        name="watcher_candidates",
    ),
]

from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("new/", views.new_ticket, name="new"),
    path("call/", views.log_call, name="call"),
    path("mine/", views.my_tickets, name="mine"),
    path("queue/", views.queue, name="queue"),
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
    path("<str:number>/assign/", views.assign, name="assign"),
]

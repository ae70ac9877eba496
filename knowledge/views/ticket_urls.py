"""From a ticket (``/knowledge/tickets/<number>/…``): link and unlink an article, find one
to link, turn the resolved ticket into a draft article (``knowledge.views.ticket``)."""

from django.urls import path

from knowledge.views import ticket

urlpatterns = [
    path("tickets/<str:number>/articles/link/", ticket.link, name="ticket_link"),
    path("tickets/<str:number>/articles/unlink/", ticket.unlink, name="ticket_unlink"),
    path("tickets/<str:number>/articles/find/", ticket.find, name="ticket_find"),
    path("tickets/<str:number>/similar/", ticket.similar, name="ticket_similar"),
    path("tickets/<str:number>/write-up/", ticket.write_up, name="ticket_write_up"),
]

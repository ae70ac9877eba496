from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tickets.api.canned import CannedReplyViewSet
from tickets.api.views import CategoryViewSet, TicketViewSet
from tickets.api.watchers import TicketWatchersView, TicketWatcherView

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("categories", CategoryViewSet, basename="category")
router.register("canned-replies", CannedReplyViewSet, basename="canned-reply")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("tickets/<str:number>/watchers/", TicketWatchersView.as_view(), name="ticket-watchers"),
    path(
        "tickets/<str:number>/watchers/<str:username>/",
        TicketWatcherView.as_view(),
        name="ticket-watcher",
    ),
]

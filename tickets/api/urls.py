from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tickets.api.views import CategoryViewSet, TicketViewSet

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("categories", CategoryViewSet, basename="category")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
]

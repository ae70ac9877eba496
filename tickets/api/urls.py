from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tickets.api.views import CategoryViewSet, TicketViewSet, TokenView

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("categories", CategoryViewSet, basename="category")

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("", include(router.urls)),
]

from django.urls import path

from assets.api.views import AssetDetailView, AssetListView

app_name = "assets-api"
urlpatterns = [
    path("assets/", AssetListView.as_view(), name="assets"),
    path("assets/<int:asset_id>/", AssetDetailView.as_view(), name="asset"),
]

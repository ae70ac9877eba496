from django.urls import path

from channels import connections, views

app_name = "channels"
urlpatterns = [
    path("im-ids/import/", views.import_im_ids, name="import_im_ids"),
    path("im-ids/import/example.csv", views.import_example, name="import_im_ids_example"),
    path("connections/", connections.connections_page, name="connections"),
]

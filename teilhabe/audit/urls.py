from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("t/<uuid:tenant_id>/verwaltung/protokoll/", views.tenant_log, name="tenant_log"),
    path(
        "t/<uuid:tenant_id>/verwaltung/protokoll/export.csv",
        views.tenant_log_export,
        name="tenant_log_export",
    ),
    path("konto/protokoll/", views.own_log, name="own_log"),
]

from django.urls import include, path
from django.views.i18n import set_language

from config.api import api
from teilhabe.accounts import views as account_views
from teilhabe.accounts.urls import platform_patterns
from teilhabe.core import views as core_views
from teilhabe.reporting import views as reporting_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("sprache/", set_language, name="set_language"),
    path("", include("teilhabe.accounts.urls")),
    path("", include("teilhabe.audit.urls")),
    path("", include("teilhabe.offers.urls")),
    path("", include("teilhabe.participants.urls")),
    path("", include("teilhabe.needs.urls")),  # /t/<tenant>/bedarfe/…
    path("", include("teilhabe.finder.urls")),  # /finden/<tenant>/<lang>/ (public)
    path("", include("teilhabe.alliance.urls")),  # /t/<tenant>/buendnis/…
    path("plattform/", include(platform_patterns)),
    path("land/", reporting_views.statewide, name="statewide"),
    path("t/<uuid:tenant_id>/", reporting_views.dashboard, name="dashboard"),
    path("", api.urls),  # /api/openapi.json, /hsds/<tenant>/… (public HSDS 3.0)
]

handler400 = "teilhabe.core.views.bad_request"
handler403 = "teilhabe.core.views.permission_denied"
handler404 = "teilhabe.core.views.page_not_found"
handler500 = "teilhabe.core.views.server_error"

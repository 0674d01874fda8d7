"""The platform's JSON API (django-ninja), mounted at the site root by ``config/urls.py``.

The OpenAPI description is served at ``/api/openapi.json``.  There is no interactive docs
page: django-ninja's Swagger UI would load its scripts from a CDN (or need the ``ninja``
app and its bundled scripts), and no page of the platform loads anything from another host.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI

from teilhabe.offers.api import router as hsds_router


class TeilhabeAPI(NinjaAPI):
    """Mounted at ``""``: ninja's own catch-all root view (name ``api-root``) would shadow
    nothing but is not needed; the site's home page owns ``/``."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        return [u for u in super()._get_urls() if getattr(u, "name", None) != "api-root"]

    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return "/"


api = TeilhabeAPI(
    title="Teilhabe API",
    version="1.0",
    description=(
        "Öffentliche, lesende Schnittstelle der Plattform Teilhabe. `/hsds/<Mandant>/…`: das "
        "Angebotsverzeichnis eines Mandanten im Format Open Referral HSDS 3.0 (ohne Anmeldung; "
        "nur Angebote mit Status aktiv oder geplant, keine personenbezogenen Daten). "
        "Beschreibung: docs/hsds.md."
    ),
    openapi_url="/api/openapi.json",
    docs_url=None,
    urls_namespace="api",
)
api.add_router("/hsds/", hsds_router)

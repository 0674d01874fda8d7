"""The public HSDS 3.0 read API of a tenant's offer directory (no login, read-only).

Paths under ``/hsds/<tenant public id>/`` as in the HSDS 3.0 OpenAPI description; the
parameters, the German profile and the export are described in ``docs/hsds.md``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.params.functions import Query

from teilhabe.accounts.models import Tenant

from . import hsds, snapshot

router = Router(tags=["HSDS 3.0"])

# Answers of the tenant endpoints, per process: (directory token, address) -> JSON bytes.
RESPONSE_CACHE = "fragments"

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# ``minimal`` asks for all services on one page
MAX_PER_PAGE_MINIMAL = 5000
NDJSON_CHUNK = 200


class ErrorOut(Schema):
    detail: str


class Page(Schema):
    """The paginated envelope of the HSDS 3.0 API."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


class ApiInfo(Schema):
    version: str
    profile: str
    openapi_url: str
    name: str


ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut}
PAGE = {200: Page, **ERRORS}
OBJECT = {200: dict[str, Any], **ERRORS}

# --- Parameter descriptions (HSDS 3.0 openapi.json, components/parameters) --------------------
P_SEARCH = "Volltextsuche: alle Wörter müssen vorkommen (Groß-/Kleinschreibung egal)."
P_PAGE = "Seitennummer, ab 1."
P_PER_PAGE = f"Einträge je Seite (Standard {DEFAULT_PER_PAGE}, höchstens {MAX_PER_PAGE})."
P_FORMAT = "`json` (Standard, seitenweise) oder `ndjson` (alle Treffer, ein Objekt je Zeile)."
P_TERM = "Nur Einträge mit diesem Taxonomie-Begriff (id eines taxonomy_term)."
P_TAXONOMY = "Nur Einträge mit mindestens einem Begriff dieser Taxonomie (id)."
P_ORGANIZATION = "Nur Angebote dieser Organisation (id)."
P_MODIFIED = "Nur Einträge, die zu oder nach diesem Zeitpunkt geändert wurden (ISO 8601)."
P_FULL = "Vollständig verschachtelte Objekte statt nur der 1:1-Felder."
P_FULL_SERVICE = "Organisation mit vollständig verschachtelten Angeboten."
P_MINIMAL = "Nur `id` und `modified_date` je Angebot, alle auf einer Seite."
P_POSTCODE = "Nur Orte mit dieser Postleitzahl."
P_PROXIMITY = "Nicht unterstützt (400): es gibt keine Postleitzahl-Mittelpunkte."


def _tenant(tenant: str) -> Tenant:
    found = hsds.hsds_tenant_get(tenant)
    if found is None:
        raise HttpError(404, "Unbekannter Mandant.")
    return found


def directory_versioned(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answers a tenant endpoint from the state of the tenant's directory.

    The directory's version token (``snapshot.directory_token``: one aggregate query) and the
    full address name the answer: it carries an ``ETag`` (``If-None-Match`` gets ``304``) and
    is kept serialised in a per-process cache, so that the many clients polling the same pages
    do not rebuild them.  Any change to the directory changes the token, so an answer is never
    stale.  The data is public (what the HSDS endpoints publish anyway)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, tenant: str, *args: Any, **kwargs: Any) -> Any:
        found = hsds.hsds_tenant_get(tenant)
        if found is None:
            return view(request, tenant, *args, **kwargs)  # its own 404
        token = snapshot.directory_token(found)
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        key = "hsds:" + hashlib.sha256(repr((token, address)).encode()).hexdigest()
        etag = f'"{key[5:37]}"'
        if etag in (request.headers.get("If-None-Match") or ""):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            return not_modified
        store = caches[RESPONSE_CACHE]
        body = store.get(key)
        if body is None:
            result = view(request, tenant, *args, **kwargs)
            if isinstance(result, HttpResponseBase):
                return result  # streamed or already a response: not kept
            body = json.dumps(result, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
            store.set(key, body)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["ETag"] = etag
        response["Cache-Control"] = "public, no-cache"
        return response

    return wrapper


def _not_found(what: str) -> HttpError:
    return HttpError(404, f"{what} nicht gefunden.")


def _modified_after(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise HttpError(
            400, "modified_after: erwartet ein Datum oder einen Zeitpunkt nach ISO 8601."
        ) from None
    if parsed.tzinfo is None:
        if len(value.strip()) == 10:  # a date: from its start
            parsed = datetime.combine(parsed.date(), time.min)
        parsed = timezone.make_aware(parsed)
    return parsed


def _format(value: str) -> str:
    fmt = (value or "json").strip().lower()
    if fmt not in {"json", "ndjson"}:
        raise HttpError(400, "format: erlaubt sind json und ndjson.")
    return fmt


def _paginate(
    source: QuerySet[Any] | list[T],
    page: int,
    per_page: int,
    mapper: Callable[[Any], dict[str, Any]],
    *,
    max_per_page: int = MAX_PER_PAGE,
) -> dict[str, Any]:
    per_page = min(max(per_page, 1), max_per_page)
    total = source.count() if isinstance(source, QuerySet) else len(source)
    pages = math.ceil(total / per_page)
    start = (page - 1) * per_page
    rows = list(source[start : start + per_page]) if start < total else []
    contents = [mapper(row) for row in rows]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _ndjson(
    source: QuerySet[Any] | list[Any], mapper: Callable[[Any], dict[str, Any]]
) -> StreamingHttpResponse:
    """Every match, one JSON object per line, fetched in chunks (with their prefetches)."""
    rows: Iterable[Any] = (
        source.iterator(chunk_size=NDJSON_CHUNK) if isinstance(source, QuerySet) else source
    )

    def lines() -> Iterator[str]:
        for row in rows:
            yield json.dumps(mapper(row), ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"

    return StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")


def _list(
    source: QuerySet[Any] | list[Any],
    *,
    fmt: str,
    page: int,
    per_page: int,
    mapper: Callable[[Any], dict[str, Any]],
    max_per_page: int = MAX_PER_PAGE,
) -> Any:
    if _format(fmt) == "ndjson":
        return _ndjson(source, mapper)
    return _paginate(source, page, per_page, mapper, max_per_page=max_per_page)


def _absolute(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))


# --- Profile and API info ---------------------------------------------------------------------


@router.get(
    "/profile",
    url_name="hsds_profile",
    summary="Das deutsche HSDS-Profil der Plattform (Taxonomien, Verknüpfungsarten)",
)
def profile(request: HttpRequest) -> dict[str, Any]:
    return {
        "name": "teilhabe-de",
        "title": "Teilhabe-Profil für HSDS 3.0 (Deutschland, Nordrhein-Westfalen)",
        "hsds_version": hsds.HSDS_VERSION,
        "description": (
            "Angebote der Kommunalen Integrationszentren NRW und ihrer Bündnisse im Format "
            "Open Referral HSDS 3.0. Texte auf Deutsch; Adressen mit country DE und "
            "state_province NW; Zeiten in Ortszeit (Europe/Berlin). Zugangsvoraussetzungen: "
            "minimum_age/maximum_age, eligibility_description und Attribute mit link_type "
            "„eligibility“ auf die Taxonomie teilhabe-aufenthaltsstatus. Dokumentation: "
            "docs/hsds.md im Quelltext der Plattform."
        ),
        "taxonomies": [hsds.taxonomy_dict(t) for t in hsds.TAXONOMIES],
        "attribute_link_types": {
            hsds.LINK_CATEGORY: "Kategorie des Angebots (teilhabe-kategorien)",
            hsds.LINK_ELIGIBILITY: (
                "Aufenthaltsstatus, mit dem man teilnehmen kann (teilhabe-aufenthaltsstatus)"
            ),
        },
        "openapi_url": _absolute(request, "api:openapi-json"),
    }


@router.get(
    "/{tenant}/",
    url_name="hsds_root",
    response={200: ApiInfo, **ERRORS},
    summary="Informationen zu dieser HSDS-Schnittstelle",
)
def api_info(request: HttpRequest, tenant: str) -> dict[str, Any]:
    found = _tenant(tenant)
    return {
        "version": hsds.HSDS_VERSION,
        "profile": _absolute(request, "api:hsds_profile"),
        "openapi_url": _absolute(request, "api:openapi-json"),
        "name": f"Angebotsverzeichnis {found.name}",
    }


# --- Services ----------------------------------------------------------------------------------


@router.get(
    "/{tenant}/services",
    url_name="hsds_services",
    response=PAGE,
    summary="Angebote (seitenweise)",
)
@directory_versioned
def services(
    request: HttpRequest,
    tenant: str,
    search: str = Query("", description=P_SEARCH),
    page: int = Query(1, ge=1, description=P_PAGE),
    per_page: int = Query(DEFAULT_PER_PAGE, description=P_PER_PAGE),
    fmt: str = Query("json", alias="format", description=P_FORMAT),
    taxonomy_term_id: str = Query("", description=P_TERM),
    taxonomy_id: str = Query("", description=P_TAXONOMY),
    organization_id: str = Query("", description=P_ORGANIZATION),
    modified_after: str | None = Query(None, description=P_MODIFIED),
    minimal: bool = Query(False, description=P_MINIMAL),
    full: bool = Query(False, description=P_FULL),
) -> Any:
    t = _tenant(tenant)
    f = hsds.DirectoryFilter(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=_modified_after(modified_after),
    )
    if minimal:
        qs = (
            hsds.hsds_offers_filtered(t, f, nested=False)
            .select_related(None)
            .only("public_id", "updated_at")
        )
        return _list(
            qs,
            fmt=fmt,
            page=page,
            per_page=per_page if "per_page" in request.GET else MAX_PER_PAGE_MINIMAL,
            mapper=lambda o: {
                "id": str(o.public_id),
                "modified_date": hsds.timestamp(o.updated_at),
            },
            max_per_page=MAX_PER_PAGE_MINIMAL,
        )
    ctx = hsds.Context(t)
    if full:
        return _list(
            hsds.hsds_offers_filtered(t, f, nested=True),
            fmt=fmt,
            page=page,
            per_page=per_page,
            mapper=lambda o: hsds.service_full(o, ctx),
        )
    return _list(
        hsds.hsds_offers_filtered(t, f, nested=False),
        fmt=fmt,
        page=page,
        per_page=per_page,
        mapper=lambda o: hsds.service_basic(o, ctx),
    )


@router.get(
    "/{tenant}/services/{id}",
    url_name="hsds_service",
    response=OBJECT,
    summary="Ein Angebot, vollständig verschachtelt",
)
@directory_versioned
def service(request: HttpRequest, tenant: str, id: str) -> dict[str, Any]:
    t = _tenant(tenant)
    offer = hsds.hsds_offer_get(t, id)
    if offer is None:
        raise _not_found("Angebot")
    return hsds.service_full(offer, hsds.Context(t))


# --- Organizations -----------------------------------------------------------------------------


@router.get(
    "/{tenant}/organizations",
    url_name="hsds_organizations",
    response=PAGE,
    summary="Organisationen (Träger) mit öffentlichen Angeboten (seitenweise)",
)
@directory_versioned
def organizations(
    request: HttpRequest,
    tenant: str,
    search: str = Query("", description=P_SEARCH),
    full_service: bool = Query(False, description=P_FULL_SERVICE),
    full: bool = Query(False, description=P_FULL),
    page: int = Query(1, ge=1, description=P_PAGE),
    per_page: int = Query(DEFAULT_PER_PAGE, description=P_PER_PAGE),
    fmt: str = Query("json", alias="format", description=P_FORMAT),
) -> Any:
    t = _tenant(tenant)
    if full or full_service:
        ctx = hsds.Context(t)
        qs = hsds.provider_search(hsds.hsds_providers(t, with_offers=True), search)
        return _list(
            qs,
            fmt=fmt,
            page=page,
            per_page=per_page,
            mapper=lambda p: hsds.organization_full(p, ctx, full_services=full_service),
        )
    return _list(
        hsds.provider_search(hsds.hsds_providers(t), search),
        fmt=fmt,
        page=page,
        per_page=per_page,
        mapper=hsds.organization_basic,
    )


@router.get(
    "/{tenant}/organizations/{id}",
    url_name="hsds_organization",
    response=OBJECT,
    summary="Eine Organisation mit ihren Orten und Angeboten",
)
@directory_versioned
def organization(
    request: HttpRequest,
    tenant: str,
    id: str,
    full_service: bool = Query(False, description=P_FULL_SERVICE),
) -> dict[str, Any]:
    t = _tenant(tenant)
    provider = hsds.hsds_provider_get(t, id)
    if provider is None:
        raise _not_found("Organisation")
    return hsds.organization_full(provider, hsds.Context(t), full_services=full_service)


# --- Service at location -----------------------------------------------------------------------


@router.get(
    "/{tenant}/service_at_locations",
    url_name="hsds_service_at_locations",
    response=PAGE,
    summary="Angebote an ihren Orten (seitenweise)",
)
@directory_versioned
def service_at_locations(
    request: HttpRequest,
    tenant: str,
    search: str = Query("", description=P_SEARCH),
    taxonomy_term_id: str = Query("", description=P_TERM),
    taxonomy_id: str = Query("", description=P_TAXONOMY),
    organization_id: str = Query("", description=P_ORGANIZATION),
    modified_after: str | None = Query(None, description=P_MODIFIED),
    full: bool = Query(False, description=P_FULL),
    page: int = Query(1, ge=1, description=P_PAGE),
    per_page: int = Query(DEFAULT_PER_PAGE, description=P_PER_PAGE),
    fmt: str = Query("json", alias="format", description=P_FORMAT),
    postcode: str = Query("", description=P_POSTCODE),
    proximity: str | None = Query(None, description=P_PROXIMITY),
) -> Any:
    t = _tenant(tenant)
    if proximity:
        raise HttpError(
            400,
            "proximity wird nicht unterstützt: die Plattform kennt keine Mittelpunkte von "
            "Postleitzahlen. Mit postcode allein filtern Sie nach der Postleitzahl des Ortes.",
        )
    f = hsds.DirectoryFilter(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=_modified_after(modified_after),
        postcode=postcode.strip(),
    )
    ctx = hsds.Context(t)
    qs = hsds.hsds_locations_filtered(t, f, nested=full)
    if full:
        return _list(
            qs,
            fmt=fmt,
            page=page,
            per_page=per_page,
            mapper=lambda loc: hsds.service_at_location_full(loc, ctx),
        )
    return _list(
        qs,
        fmt=fmt,
        page=page,
        per_page=per_page,
        mapper=lambda loc: hsds.service_at_location_list_item(loc, ctx),
    )


@router.get(
    "/{tenant}/service_at_locations/{id}",
    url_name="hsds_service_at_location",
    response=OBJECT,
    summary="Ein Angebot an einem Ort, vollständig verschachtelt",
)
@directory_versioned
def service_at_location(request: HttpRequest, tenant: str, id: str) -> dict[str, Any]:
    t = _tenant(tenant)
    location = hsds.hsds_location_get(t, id)
    if location is None:
        raise _not_found("Angebot an diesem Ort")
    return hsds.service_at_location_full(location, hsds.Context(t))


# --- Taxonomies --------------------------------------------------------------------------------


def _matches(search: str, *texts: str) -> bool:
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in search.lower().split()[:6])


@router.get(
    "/{tenant}/taxonomies",
    url_name="hsds_taxonomies",
    response=PAGE,
    summary="Taxonomien des Profils (seitenweise)",
)
@directory_versioned
def taxonomies(
    request: HttpRequest,
    tenant: str,
    search: str = Query("", description=P_SEARCH),
    page: int = Query(1, ge=1, description=P_PAGE),
    per_page: int = Query(DEFAULT_PER_PAGE, description=P_PER_PAGE),
    fmt: str = Query("json", alias="format", description=P_FORMAT),
) -> Any:
    _tenant(tenant)
    found = [t for t in hsds.TAXONOMIES if _matches(search, t.code, t.description)]
    return _list(found, fmt=fmt, page=page, per_page=per_page, mapper=hsds.taxonomy_dict)


@router.get(
    "/{tenant}/taxonomies/{id}",
    url_name="hsds_taxonomy",
    response=OBJECT,
    summary="Eine Taxonomie",
)
@directory_versioned
def taxonomy(request: HttpRequest, tenant: str, id: str) -> dict[str, Any]:
    _tenant(tenant)
    for t in hsds.TAXONOMIES:
        if t.id == id:
            return hsds.taxonomy_dict(t)
    raise _not_found("Taxonomie")


@router.get(
    "/{tenant}/taxonomy_terms",
    url_name="hsds_taxonomy_terms",
    response=PAGE,
    summary="Begriffe der Taxonomien (seitenweise)",
)
@directory_versioned
def taxonomy_terms(
    request: HttpRequest,
    tenant: str,
    search: str = Query("", description=P_SEARCH),
    page: int = Query(1, ge=1, description=P_PAGE),
    per_page: int = Query(DEFAULT_PER_PAGE, description=P_PER_PAGE),
    fmt: str = Query("json", alias="format", description=P_FORMAT),
    taxonomy_id: str = Query("", description="Nur Begriffe dieser Taxonomie (id)."),
    top_only: bool = Query(False, description="Nur Begriffe der obersten Ebene (ohne parent_id)."),
    parent_id: str = Query("", description="Nur Begriffe mit diesem übergeordneten Begriff."),
) -> Any:
    t = _tenant(tenant)
    terms = hsds.all_terms(hsds.hsds_categories(t))
    found = [
        term
        for term in terms
        if (not taxonomy_id or term.taxonomy.id == taxonomy_id)
        and (not top_only or term.parent_code is None)
        and (not parent_id or term.parent_id == parent_id)
        and _matches(search, term.code, term.name, term.description)
    ]
    return _list(found, fmt=fmt, page=page, per_page=per_page, mapper=hsds.term_dict)


@router.get(
    "/{tenant}/taxonomy_terms/{id}",
    url_name="hsds_taxonomy_term",
    response=OBJECT,
    summary="Ein Begriff",
)
@directory_versioned
def taxonomy_term(request: HttpRequest, tenant: str, id: str) -> dict[str, Any]:
    t = _tenant(tenant)
    term = hsds.term_by_id(id, hsds.hsds_categories(t))
    if term is None:
        raise _not_found("Begriff")
    return hsds.term_dict(term)


# --- Export ------------------------------------------------------------------------------------


@router.get(
    "/{tenant}/export.json",
    url_name="hsds_export",
    summary="Das ganze öffentliche Verzeichnis als ein JSON-Dokument",
    response={200: dict[str, Any], **ERRORS},
)
def export(request: HttpRequest, tenant: str) -> HttpResponse:
    t = _tenant(tenant)
    now = timezone.now()
    document = hsds.export_document(
        t,
        hsds.hsds_providers(t),
        hsds.hsds_offers(t),
        hsds.hsds_categories(t),
        profile_url=_absolute(request, "api:hsds_profile"),
        generated_at=now,
    )
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    filename = f"hsds-{t.territory.ags}-{now:%Y%m%d}.json"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response

"""The public HSDS 3.0 API: every response validates against the HSDS schemas
(``tests/data/hsds-3.0``, copied from the Open Referral specification, CC BY-SA 4.0), filters,
paging, tenancy, the German residence-status profile and the query count."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from teilhabe.offers import hsds
from teilhabe.offers.models import (
    Category,
    FundingSource,
    Offer,
    OfferLocation,
    OfferSchedule,
    RuleSetRecord,
)

from .conftest import World
from .factories import make_offer, make_provider

DATA = Path(__file__).parent / "data" / "hsds-3.0"
BASE_URI = "https://hsds.schema.invalid/"

# --- Schema validation --------------------------------------------------------------------------

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.tzinfo is not None


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for path in sorted((DATA / "schema").glob("*.json")):
        contents = {**json.loads(path.read_text(encoding="utf-8")), "$id": BASE_URI + path.name}
        resources.append((BASE_URI + path.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def _validator(name: str) -> Draft202012Validator:
    """``compiled/service`` (self-contained) or ``schema/taxonomy`` (base, with $refs)."""
    folder, _, short = name.partition("/")
    if folder == "compiled":
        schema = json.loads((DATA / "compiled" / f"{short}.json").read_text(encoding="utf-8"))
        return Draft202012Validator(schema, format_checker=FORMATS)
    return Draft202012Validator(
        {"$ref": BASE_URI + f"{short}.json"}, registry=_registry(), format_checker=FORMATS
    )


def assert_valid(document: Any, name: str) -> None:
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"{name}:\n" + "\n".join(
        f"  {'/'.join(map(str, e.path))}: {e.message}" for e in errors[:20]
    )


PAGE_KEYS = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
    "contents": list,
}


def assert_page(body: dict[str, Any], item_schema: str | None) -> list[dict[str, Any]]:
    assert set(body) == set(PAGE_KEYS), body.keys()
    for key, kind in PAGE_KEYS.items():
        assert isinstance(body[key], kind), key
    assert body["size"] == len(body["contents"])
    assert body["empty"] == (body["size"] == 0)
    if item_schema:
        for item in body["contents"]:
            assert_valid(item, item_schema)
    return body["contents"]


# --- Data ---------------------------------------------------------------------------------------

STATUS_RULES = {
    "code": "test.status",
    "name_de": "Testregeln Aufenthaltsstatus",
    "name_en": "Test rules",
    "valid_from": "2024-01-01",
    "criteria": [
        {"code": "age", "kind": "age_range", "params": {"min_age": 18, "max_age": 27}},
        {
            "code": "status",
            "kind": "residence_status",
            "required": True,
            "params": {
                "allowed": [
                    "gestattung",
                    "duldung:60c",
                    {"kind": "aufenthaltserlaubnis", "paragraphs": ["25_1", "25_2"]},
                ]
            },
        },
    ],
}


# like the programme rule sets: every status may take part, some have priority
PRIORITY_RULES = {
    "code": "test.priority",
    "criteria": [
        {
            "code": "status",
            "kind": "residence_status",
            "params": {"allowed": "any", "preferred": [{"kind": "duldung"}, "gestattung"]},
        }
    ],
}


class Directory:
    def __init__(self, world: World) -> None:
        t = world.tenant
        self.tenant = t
        self.rules = RuleSetRecord.objects.create(
            tenant=t,
            code="test.status",
            name="Testregeln Aufenthaltsstatus",
            definition=STATUS_RULES,
        )
        self.vhs = make_provider(
            t,
            name="VHS Gütersloh",
            description="Volkshochschule des Kreises",
            website="https://vhs.example.org/",
            email="info@vhs.example.org",
            phone="05241 123456",
            street="Hohenzollernstraße 43",
            postcode="33330",
            city="Gütersloh",
            contact_name="Nicht Öffentlich",
        )
        self.jmd = make_provider(t, name="Jugendmigrationsdienst", kind="jmd")
        self.idle = make_provider(t, name="Träger ohne öffentliche Angebote")
        self.course = make_offer(
            t,
            self.vhs,
            key="deutsch-a1",
            title="Deutschkurs A1",
            min_age=18,
            max_age=27,
            rule_set=self.rules,
            eligibility_note="Junge Geflüchtete im Kreis.",
            contact_name="Frau Beispiel",
            contact_email="kurs@vhs.example.org",
            contact_phone="05241 654321",
            funding=FundingSource.objects.get(code="f4"),
            cost=Decimal("12.50"),
            cost_note="Ermäßigung möglich",
            travel_costs_reimbursed=True,
            wheelchair_accessible=True,
            women_only=True,
            language_level_required="A1",
            languages=["de", "ar", "fa"],
            schedule_note="nicht in den Ferien",
        )
        loc = self.course.locations.get()
        loc.latitude, loc.longitude, loc.name = Decimal("51.906"), Decimal("8.378"), "VHS-Haus"
        loc.save()
        OfferSchedule.objects.create(
            tenant=t, offer=self.course, weekday=3, opens_at=time(14), closes_at=time(16)
        )
        self.planned = make_offer(
            t,
            self.jmd,
            key="beratung",
            title="Migrationsberatung",
            category_code="beratung",
            status="geplant",
            rule_set=RuleSetRecord.objects.create(
                tenant=t, code="test.priority", name="Vorrang", definition=PRIORITY_RULES
            ),
            start_date=None,
            end_date=None,
        )
        self.paused = make_offer(
            t, self.idle, key="pause", title="Pausierter Kurs", status="pausiert"
        )
        self.ended = make_offer(t, self.idle, key="ende", title="Beendeter Kurs", status="beendet")
        other_provider = make_provider(world.other_tenant, name="Fremder Träger")
        self.foreign = make_offer(
            world.other_tenant, other_provider, key="fremd", title="Fremdes Angebot"
        )

    def url(self, name: str, tenant: Any = None, **kwargs: Any) -> str:
        tenant = tenant if tenant is not None else self.tenant.public_id
        return reverse(f"api:{name}", kwargs={"tenant": tenant, **kwargs})


@pytest.fixture
def directory(world: World) -> Directory:
    return Directory(world)


def get(client: Client, url: str, status: int = 200, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def term_id(taxonomy: hsds.Taxonomy, code: str) -> str:
    return str(uuid.uuid5(hsds.NAMESPACE, f"taxonomy/{taxonomy.code}/term/{code}"))


# --- Every endpoint validates ---------------------------------------------------------------


def test_every_endpoint_validates_against_the_hsds_schemas(
    client: Client, directory: Directory
) -> None:
    d = directory
    info = get(client, d.url("hsds_root"))
    assert info["version"] == "3.0"
    assert info["profile"].endswith(reverse("api:hsds_profile"))
    assert info["openapi_url"].endswith("/api/openapi.json")
    profile = get(client, reverse("api:hsds_profile"))
    assert {t["name"] for t in profile["taxonomies"]} == {
        "teilhabe-kategorien",
        "teilhabe-aufenthaltsstatus",
    }

    services = assert_page(get(client, d.url("hsds_services")), "compiled/service_list")
    assert len(services) == 2
    full = assert_page(get(client, d.url("hsds_services"), full="true"), "compiled/service")
    assert {s["id"] for s in full} == {str(d.course.public_id), str(d.planned.public_id)}
    for offer in (d.course, d.planned):
        assert_valid(get(client, d.url("hsds_service", id=offer.public_id)), "compiled/service")
    minimal = assert_page(get(client, d.url("hsds_services"), minimal="true"), None)
    assert all(set(m) == {"id", "modified_date"} for m in minimal)

    orgs = assert_page(get(client, d.url("hsds_organizations")), "compiled/organization_list")
    assert [o["name"] for o in orgs] == ["Jugendmigrationsdienst", "VHS Gütersloh"]
    assert_page(get(client, d.url("hsds_organizations"), full="true"), "compiled/organization")
    assert_page(
        get(client, d.url("hsds_organizations"), full_service="true"), "compiled/organization"
    )
    for provider in (d.vhs, d.jmd):
        assert_valid(
            get(client, d.url("hsds_organization", id=provider.public_id)), "compiled/organization"
        )
        assert_valid(
            get(client, d.url("hsds_organization", id=provider.public_id), full_service="true"),
            "compiled/organization",
        )

    sals = assert_page(
        get(client, d.url("hsds_service_at_locations")), "compiled/service_at_location_list"
    )
    assert len(sals) == 2
    assert_page(
        get(client, d.url("hsds_service_at_locations"), full="true"),
        "compiled/service_at_location",
    )
    for sal in sals:
        assert_valid(
            get(client, d.url("hsds_service_at_location", id=sal["id"])),
            "compiled/service_at_location",
        )

    taxonomies = assert_page(get(client, d.url("hsds_taxonomies")), "schema/taxonomy")
    for taxonomy in taxonomies:
        assert_valid(get(client, d.url("hsds_taxonomy", id=taxonomy["id"])), "schema/taxonomy")
    terms = assert_page(
        get(client, d.url("hsds_taxonomy_terms"), per_page=200), "schema/taxonomy_term"
    )
    for term in terms[:3] + terms[-3:]:
        one = get(client, d.url("hsds_taxonomy_term", id=term["id"]))
        assert_valid(one, "schema/taxonomy_term")

    export = get(client, d.url("hsds_export"))
    assert_export_valid(export)


def assert_export_valid(export: dict[str, Any]) -> None:
    assert export["hsds_version"] == "3.0"
    for org in export["organizations"]:
        assert_valid(org, "compiled/organization")
    for service in export["services"]:
        assert_valid(service, "compiled/service")
    for location in export["locations"]:
        assert_valid(location, "schema/location")
    for sal in export["service_at_locations"]:
        assert_valid(sal, "compiled/service_at_location")
    for taxonomy in export["taxonomies"]:
        assert_valid(taxonomy, "schema/taxonomy")
    for term in export["taxonomy_terms"]:
        assert_valid(term, "schema/taxonomy_term")
    # every reference resolves inside the document
    orgs = {o["id"] for o in export["organizations"]}
    services = {s["id"] for s in export["services"]}
    locations = {loc["id"] for loc in export["locations"]}
    terms = {t["id"] for t in export["taxonomy_terms"]}
    assert {s["organization_id"] for s in export["services"]} <= orgs
    assert {loc["organization_id"] for loc in export["locations"]} <= orgs
    assert {s["service_id"] for s in export["service_at_locations"]} <= services
    assert {s["location_id"] for s in export["service_at_locations"]} <= locations
    assert {a["taxonomy_term_id"] for s in export["services"] for a in s["attributes"]} <= terms
    assert {t["taxonomy_id"] for t in export["taxonomy_terms"]} <= {
        t["id"] for t in export["taxonomies"]
    }


def test_export_holds_the_whole_public_directory(client: Client, directory: Directory) -> None:
    d = directory
    export = get(client, d.url("hsds_export"))
    assert_export_valid(export)
    assert {s["id"] for s in export["services"]} == {
        str(d.course.public_id),
        str(d.planned.public_id),
    }
    assert {o["id"] for o in export["organizations"]} == {
        str(d.vhs.public_id),
        str(d.jmd.public_id),
    }
    # two places of offers and the postal address of the VHS
    assert len(export["locations"]) == 3
    assert len(export["service_at_locations"]) == 2
    assert export["publisher"] == {
        "id": str(d.tenant.public_id),
        "name": d.tenant.name,
        "ags": "05754",
    }
    text = json.dumps(export, ensure_ascii=False)
    for hidden in ("Pausierter Kurs", "Beendeter Kurs", "Fremdes Angebot", "Nicht Öffentlich"):
        assert hidden not in text


# --- Mapping ----------------------------------------------------------------------------------


def test_service_maps_offer_fields(client: Client, directory: Directory) -> None:
    d = directory
    s = get(client, d.url("hsds_service", id=d.course.public_id))
    assert s["name"] == "Deutschkurs A1"
    assert s["status"] == "active"
    assert s["organization_id"] == str(d.vhs.public_id)
    assert s["organization"]["name"] == "VHS Gütersloh"
    assert s["email"] == "kurs@vhs.example.org"
    assert (s["minimum_age"], s["maximum_age"]) == (18, 27)
    assert "Junge Geflüchtete im Kreis." in s["eligibility_description"]
    assert "Zugangsregeln: Testregeln Aufenthaltsstatus." in s["eligibility_description"]
    assert "Nur für Frauen." in s["eligibility_description"]
    assert "Teilnahmebeitrag 12,50 Euro." in s["fees_description"]
    assert "Fahrtkosten werden erstattet." in s["fees_description"]
    assert s["cost_options"][0]["amount"] == 12.5
    assert s["cost_options"][0]["currency"] == "EUR"
    assert [(x["code"], x["name"]) for x in s["languages"]] == [
        ("de", "Deutsch"),
        ("ar", "Arabisch"),
        ("fa", "Farsi/Dari"),
    ]
    assert [(x["byday"], x["opens_at"], x["closes_at"]) for x in s["schedules"]] == [
        ("MO", "09:00", "12:30"),
        ("WE", "14:00", "16:00"),
    ]
    assert s["schedules"][0]["freq"] == "WEEKLY"
    assert s["schedules"][0]["valid_from"] == "2026-09-01"
    assert s["schedules"][0]["notes"] == "nicht in den Ferien"
    assert s["phones"][0]["number"] == "05241 654321"
    assert s["contacts"][0]["name"] == "Frau Beispiel"
    assert s["funding"][0]["source"].startswith("F4")
    assert s["service_areas"][0]["name"] == d.tenant.territory.name
    (sal,) = s["service_at_locations"]
    location = sal["location"]
    assert location["name"] == "VHS-Haus"
    assert (location["latitude"], location["longitude"]) == (51.906, 8.378)
    (address,) = location["addresses"]
    assert address["country"] == "DE"
    assert address["state_province"] == "NW"
    assert address["postal_code"] == "33330"
    assert address["region"] == d.tenant.territory.name
    assert location["accessibility"][0]["description"] == "rollstuhlgerecht"

    planned = get(client, d.url("hsds_service", id=d.planned.public_id))
    assert planned["status"] == "inactive"
    assert planned["alert"].startswith("Geplantes Angebot")
    assert "minimum_age" not in planned  # no value: left out, never null


def test_residence_status_becomes_attributes(client: Client, directory: Directory) -> None:
    d = directory
    s = get(client, d.url("hsds_service", id=d.course.public_id))
    by_link: dict[str, list[str]] = {}
    for attribute in s["attributes"]:
        assert attribute["link_id"] == s["id"]
        assert attribute["link_entity"] == "service"
        assert attribute["taxonomy_term"]["id"] == attribute["taxonomy_term_id"]
        by_link.setdefault(attribute["link_type"], []).append(attribute["taxonomy_term"]["code"])
    assert by_link["category"] == ["sprache"]
    assert by_link["eligibility"] == [
        "gestattung",
        "duldung:60c",
        "aufenthaltserlaubnis:25_1",
        "aufenthaltserlaubnis:25_2",
    ]
    status_ids = [a["taxonomy_term_id"] for a in s["attributes"] if a["link_type"] == "eligibility"]
    assert status_ids[0] == term_id(hsds.STATUS_TAXONOMY, "gestattung")
    assert "Aufenthaltsstatus: Aufenthaltsgestattung" in s["eligibility_description"]
    # every attribute's term is served
    for tid in status_ids:
        term = get(client, d.url("hsds_taxonomy_term", id=tid))
        assert term["taxonomy_id"] == hsds.STATUS_TAXONOMY.id
    child = get(client, d.url("hsds_taxonomy_term", id=status_ids[1]))
    assert child["parent_id"] == term_id(hsds.STATUS_TAXONOMY, "duldung")
    planned = get(client, d.url("hsds_service", id=d.planned.public_id))
    assert [(a["link_type"], a["taxonomy_term"]["code"]) for a in planned["attributes"]] == [
        ("category", "beratung"),
        ("eligibility_priority", "gestattung"),
        ("eligibility_priority", "duldung"),
    ]
    assert "Vorrangig für: Aufenthaltsgestattung" in planned["eligibility_description"]
    assert "Aufenthaltsstatus:" not in planned["eligibility_description"]
    assert len({a["id"] for a in s["attributes"] + planned["attributes"]}) == 5 + 3


def _rules(*criteria: Any) -> dict[str, Any]:
    return {"code": "x", "criteria": list(criteria)}


def _status(allowed: Any, **extra: Any) -> dict[str, Any]:
    return {"code": "s", "kind": "residence_status", "params": {"allowed": allowed}, **extra}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (_rules(_status(["duldung"])), ["duldung"]),
        (_rules(_status(["duldung:60a", "duldung:60b"])), ["duldung:60a", "duldung:60b"]),
        (_rules(_status([{"kind": "duldung", "paragraphs": ["60d"]}])), ["duldung:60d"]),
        (_rules(_status(["duldung", "duldung:60c"])), ["duldung"]),
        (_rules(_status("any")), []),
        (_rules(_status(["gestattung"], required=False)), []),
        (
            _rules(_status(["gestattung", "duldung"]), _status(["duldung:60c", "none"])),
            ["duldung:60c"],
        ),
        (_rules(_status(["gestattung"]), _status("any")), ["gestattung"]),
        (_rules({"code": "a", "kind": "age_range", "params": {"min_age": 18}}), []),
        # shapes this mapping does not understand: no status attributes at all
        (_rules(_status(["gestattung", "marsianer"])), []),
        (_rules(_status(["duldung:99z"])), []),
        (_rules(_status([])), []),
        (_rules(_status([{"kind": "duldung", "paragraphs": "60c"}])), []),
        (_rules(_status(["gestattung"]), "kaputt"), []),
        (_rules({"code": "s", "kind": "residence_status", "params": ["gestattung"]}), []),
        ({"criteria": {"status": ["gestattung"]}}, []),
        ({"all_of": [_status(["gestattung"])]}, []),
        ("gestattung", []),
        (None, []),
    ],
)
def test_status_term_codes_from_rule_set_definitions(definition: Any, expected: list[str]) -> None:
    assert hsds.status_term_codes(definition) == expected


@pytest.mark.parametrize(
    ("params", "allowed", "preferred"),
    [
        ({"allowed": "any", "preferred": ["duldung", "gestattung"]}, (), ("gestattung", "duldung")),
        ({"allowed": ["duldung"], "preferred": ["duldung:60c"]}, ("duldung",), ("duldung:60c",)),
        ({"allowed": "any", "preferred": []}, (), ()),
        ({"allowed": "any", "preferred": ["marsianer"]}, (), ()),
        ({"allowed": ["gestattung"], "preferred": "duldung"}, (), ()),
    ],
)
def test_status_terms_with_priority_group(
    params: dict[str, Any], allowed: tuple[str, ...], preferred: tuple[str, ...]
) -> None:
    found = hsds.status_terms_of(
        _rules({"code": "s", "kind": "residence_status", "params": params})
    )
    assert (found.allowed, found.preferred) == (allowed, preferred)


def test_shipped_rule_sets_map_to_known_terms() -> None:
    folder = Path(hsds.__file__).resolve().parent.parent / "eligibility" / "data" / "rule_sets"
    codes = {t.code for t in hsds.status_catalogue().terms}
    for path in sorted(folder.glob("*.json")):
        found = hsds.status_terms_of(json.loads(path.read_text(encoding="utf-8")))
        assert set(found.allowed) | set(found.preferred) <= codes, path.name


def test_status_catalogue_skips_bad_entries() -> None:
    catalogue = hsds._catalogue_from_data(
        {
            "kinds": [
                {"code": "a", "name_de": "A", "paragraphs": [{"code": "1", "name_de": "§ 1"}, 7]},
                {"code": "u", "name_de": "unbekannt", "unknown": True},
                {"code": "", "name_de": "leer"},
                "kaputt",
            ]
        }
    )
    assert [t.code for t in catalogue.terms] == ["a", "a:1"]
    assert hsds._catalogue_from_data({"kinds": "x"}).terms == ()
    assert hsds.status_term_codes(_rules(_status(["a:1"])), catalogue) == ["a:1"]


def test_taxonomy_ids_are_deterministic() -> None:
    sprache = Category(code="sprache", name="Sprache")
    assert hsds.category_term(sprache).id == term_id(hsds.CATEGORY_TAXONOMY, "sprache")
    assert hsds.CATEGORY_TAXONOMY.id == str(
        uuid.uuid5(hsds.NAMESPACE, "taxonomy/teilhabe-kategorien")
    )
    codes = {t.code for t in hsds.status_catalogue().terms}
    assert {"gestattung", "duldung", "duldung:60a", "duldung:60b", "duldung:60c"} <= codes
    assert {"duldung:60d", "aufenthaltserlaubnis", "niederlassungserlaubnis"} <= codes
    assert "unknown" not in codes


# --- Paging and filters -----------------------------------------------------------------------


def test_paging(client: Client, directory: Directory) -> None:
    d = directory
    for i in range(3):
        make_offer(d.tenant, d.vhs, key=f"extra-{i}", title=f"Zusatzkurs {i}")
    first = get(client, d.url("hsds_services"), per_page=2)
    assert (first["total_items"], first["total_pages"], first["size"]) == (5, 3, 2)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    last = get(client, d.url("hsds_services"), per_page=2, page=3)
    assert (last["page_number"], last["size"], last["last_page"], last["first_page"]) == (
        3,
        1,
        True,
        False,
    )
    beyond = get(client, d.url("hsds_services"), per_page=2, page=9)
    assert beyond["empty"] and beyond["contents"] == [] and beyond["total_items"] == 5
    seen = [
        s["id"]
        for page in (1, 2, 3)
        for s in get(client, d.url("hsds_services"), per_page=2, page=page)["contents"]
    ]
    assert len(set(seen)) == 5
    clamped = get(client, d.url("hsds_services"), per_page=10_000)
    assert clamped["total_pages"] == 1
    assert get(client, d.url("hsds_services"), 422, page=0)
    nothing = get(client, d.url("hsds_services"), search="gibtesnicht")
    assert nothing["total_items"] == 0 and nothing["total_pages"] == 0 and nothing["empty"]
    terms = get(client, d.url("hsds_taxonomy_terms"), per_page=2)
    assert terms["total_pages"] == -(-terms["total_items"] // 2)


def test_search(client: Client, directory: Directory) -> None:
    d = directory

    def names(url: str, **params: Any) -> list[str]:
        return [s["name"] for s in get(client, url, **params)["contents"]]

    services = d.url("hsds_services")
    assert names(services, search="deutschkurs") == ["Deutschkurs A1"]
    assert names(services, search="VHS a1") == ["Deutschkurs A1"]  # provider name + title
    assert names(services, search="Migrationsdienst") == ["Migrationsberatung"]
    assert names(services, search="Beratung") == ["Migrationsberatung"]  # category name
    assert names(services, search="VHS-Haus") == ["Deutschkurs A1"]  # place name
    assert names(services, search="Pausierter") == []
    assert names(d.url("hsds_organizations"), search="volkshochschule") == ["VHS Gütersloh"]
    sals = get(client, d.url("hsds_service_at_locations"), search="Migrationsberatung")
    assert [s["service"]["name"] for s in sals["contents"]] == ["Migrationsberatung"]
    terms = get(client, d.url("hsds_taxonomy_terms"), search="60c")["contents"]
    assert [t["code"] for t in terms] == ["duldung:60c"]
    taxonomies = get(client, d.url("hsds_taxonomies"), search="AufenthG")["contents"]
    assert [t["name"] for t in taxonomies] == ["teilhabe-aufenthaltsstatus"]


def test_taxonomy_filters(client: Client, directory: Directory) -> None:
    d = directory
    services = d.url("hsds_services")

    def ids(url: str, **params: Any) -> set[str]:
        return {s["id"] for s in get(client, url, **params)["contents"]}

    course, planned = str(d.course.public_id), str(d.planned.public_id)
    assert ids(services, taxonomy_term_id=term_id(hsds.CATEGORY_TAXONOMY, "beratung")) == {planned}
    assert ids(services, taxonomy_term_id=term_id(hsds.STATUS_TAXONOMY, "duldung:60c")) == {course}
    # literal: the course admits only § 60c, not every Duldung (the planned offer names the
    # whole kind in its priority group)
    assert ids(services, taxonomy_term_id=term_id(hsds.STATUS_TAXONOMY, "duldung")) == {planned}
    assert ids(services, taxonomy_term_id=str(uuid.uuid4())) == set()
    assert ids(services, taxonomy_term_id="kein-uuid") == set()
    assert ids(services, taxonomy_id=hsds.CATEGORY_TAXONOMY.id) == {course, planned}
    assert ids(services, taxonomy_id=hsds.STATUS_TAXONOMY.id) == {course, planned}
    # a term of the priority group is an attribute too
    assert ids(services, taxonomy_term_id=term_id(hsds.STATUS_TAXONOMY, "gestattung")) == {
        course,
        planned,
    }
    assert ids(services, taxonomy_id=str(uuid.uuid4())) == set()
    sals = get(
        client,
        d.url("hsds_service_at_locations"),
        taxonomy_term_id=term_id(hsds.STATUS_TAXONOMY, "aufenthaltserlaubnis:25_1"),
    )
    assert [s["service_id"] for s in sals["contents"]] == [course]

    terms = d.url("hsds_taxonomy_terms")
    status_terms = get(client, terms, taxonomy_id=hsds.STATUS_TAXONOMY.id, per_page=200)
    assert all(t["taxonomy_id"] == hsds.STATUS_TAXONOMY.id for t in status_terms["contents"])
    top = get(client, terms, taxonomy_id=hsds.STATUS_TAXONOMY.id, top_only="true")["contents"]
    assert all("parent_id" not in t for t in top)
    assert "gestattung" in {t["code"] for t in top}
    children = get(client, terms, parent_id=term_id(hsds.STATUS_TAXONOMY, "duldung"))
    assert {t["code"] for t in children["contents"]} >= {"duldung:60a", "duldung:60d"}
    categories = get(client, terms, taxonomy_id=hsds.CATEGORY_TAXONOMY.id, per_page=200)
    assert categories["total_items"] == Category.objects.filter(is_active=True).count()


def test_organization_filter(client: Client, directory: Directory) -> None:
    d = directory
    body = get(client, d.url("hsds_services"), organization_id=str(d.jmd.public_id))
    assert [s["id"] for s in body["contents"]] == [str(d.planned.public_id)]
    sals = get(client, d.url("hsds_service_at_locations"), organization_id=str(d.vhs.public_id))
    assert [s["service_id"] for s in sals["contents"]] == [str(d.course.public_id)]
    assert get(client, d.url("hsds_services"), organization_id="x")["total_items"] == 0
    # the organization of the other tenant matches nothing here
    foreign = str(d.foreign.provider.public_id)
    assert get(client, d.url("hsds_services"), organization_id=foreign)["total_items"] == 0


def test_modified_after_and_postcode(client: Client, directory: Directory) -> None:
    d = directory
    past = timezone.now() - timedelta(days=3)
    Offer.objects.filter(pk=d.planned.pk).update(updated_at=past)
    OfferLocation.objects.filter(offer=d.planned).update(updated_at=past)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    body = get(client, d.url("hsds_services"), modified_after=since)
    assert [s["id"] for s in body["contents"]] == [str(d.course.public_id)]
    sals = get(client, d.url("hsds_service_at_locations"), modified_after=since)
    assert [s["service_id"] for s in sals["contents"]] == [str(d.course.public_id)]
    day = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert get(client, d.url("hsds_services"), modified_after=day)["total_items"] == 2
    get(client, d.url("hsds_services"), 400, modified_after="gestern")

    OfferLocation.objects.filter(offer=d.planned).update(postcode="33332")
    sals = get(client, d.url("hsds_service_at_locations"), postcode="33332")
    assert [s["service_id"] for s in sals["contents"]] == [str(d.planned.public_id)]
    body = get(client, d.url("hsds_service_at_locations"), 400, postcode="33332", proximity="500")
    assert "proximity" in body["detail"]


def test_ndjson_streams_every_match(client: Client, directory: Directory) -> None:
    d = directory
    response = client.get(d.url("hsds_services"), {"format": "ndjson", "full": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    services = [json.loads(line) for line in lines]
    assert len(services) == 2
    for service in services:
        assert_valid(service, "compiled/service")
    body = get(client, d.url("hsds_services"), 400, format="xml")
    assert "format" in body["detail"]


# --- Tenancy and visibility -------------------------------------------------------------------


def test_paused_and_ended_offers_are_not_served(client: Client, directory: Directory) -> None:
    d = directory
    for offer in (d.paused, d.ended):
        get(client, d.url("hsds_service", id=offer.public_id), 404)
        get(client, d.url("hsds_service_at_location", id=offer.locations.get().public_id), 404)
    served = {s["id"] for s in get(client, d.url("hsds_services"))["contents"]}
    assert served == {str(d.course.public_id), str(d.planned.public_id)}
    # the provider with only paused/ended offers is not an organization of the directory
    get(client, d.url("hsds_organization", id=d.idle.public_id), 404)
    orgs = {o["id"] for o in get(client, d.url("hsds_organizations"))["contents"]}
    assert str(d.idle.public_id) not in orgs
    # an offer that is paused later disappears
    Offer.objects.filter(pk=d.course.pk).update(status="pausiert")
    get(client, d.url("hsds_service", id=d.course.public_id), 404)
    assert get(client, d.url("hsds_services"))["total_items"] == 1


def test_another_tenants_offers_never_appear(
    client: Client, directory: Directory, world: World
) -> None:
    d = directory
    foreign = d.foreign
    get(client, d.url("hsds_service", id=foreign.public_id), 404)
    get(client, d.url("hsds_organization", id=foreign.provider.public_id), 404)
    get(client, d.url("hsds_service_at_location", id=foreign.locations.get().public_id), 404)
    text = json.dumps(
        [
            get(client, d.url("hsds_services"), full="true"),
            get(client, d.url("hsds_organizations"), full_service="true"),
            get(client, d.url("hsds_service_at_locations"), full="true"),
            get(client, d.url("hsds_export")),
        ],
        ensure_ascii=False,
    )
    assert "Fremdes Angebot" not in text and "Fremder Träger" not in text
    other = get(client, d.url("hsds_services", tenant=world.other_tenant.public_id))
    assert [s["name"] for s in other["contents"]] == ["Fremdes Angebot"]


def test_unknown_tenant_or_id_is_404_json(
    client: Client, directory: Directory, world: World
) -> None:
    d = directory
    unknown = uuid.uuid4()
    for name in ("hsds_root", "hsds_services", "hsds_taxonomies", "hsds_export"):
        assert get(client, d.url(name, tenant=unknown), 404)["detail"]
        assert get(client, d.url(name, tenant="kein-mandant"), 404)["detail"]
    world.other_tenant.is_active = False
    world.other_tenant.save()
    get(client, d.url("hsds_services", tenant=world.other_tenant.public_id), 404)
    for name in (
        "hsds_service",
        "hsds_organization",
        "hsds_service_at_location",
        "hsds_taxonomy",
        "hsds_taxonomy_term",
    ):
        for bad in (unknown, "kein-uuid"):
            body = get(client, d.url(name, id=bad), 404)
            assert "nicht gefunden" in body["detail"]


def test_openapi_is_served_and_no_docs_page(client: Client, directory: Directory) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Teilhabe API"
    paths = set(schema["paths"])
    assert "/hsds/{tenant}/services" in paths
    assert "/hsds/{tenant}/taxonomy_terms/{id}" in paths
    params = {p["name"] for p in schema["paths"]["/hsds/{tenant}/services"]["get"]["parameters"]}
    assert {"page", "per_page", "search", "format", "taxonomy_term_id", "taxonomy_id"} <= params
    assert {"organization_id", "modified_after", "minimal", "full"} <= params
    assert client.get("/api/docs").status_code == 404
    # the site's home page still owns "/"
    assert client.get("/").status_code == 302


def test_no_login_needed_and_no_session(client: Client, directory: Directory) -> None:
    response = client.get(directory.url("hsds_services"))
    assert response.status_code == 200
    assert not response.cookies


# --- Query count --------------------------------------------------------------------------------


def test_a_page_of_50_services_costs_a_constant_number_of_queries(
    client: Client, directory: Directory, django_assert_max_num_queries: Any
) -> None:
    d = directory
    providers = [make_provider(d.tenant, name=f"Träger {i}") for i in range(5)]
    for i in range(60):
        offer = make_offer(
            d.tenant, providers[i % 5], key=f"kurs-{i}", title=f"Kurs {i:02d}", rule_set=d.rules
        )
        OfferSchedule.objects.create(
            tenant=d.tenant, offer=offer, weekday=2, opens_at=time(10), closes_at=time(11)
        )
    cases = [
        (d.url("hsds_services"), {"per_page": 50}),
        (d.url("hsds_services"), {"per_page": 50, "full": "true"}),
        (d.url("hsds_services"), {"per_page": 50, "full": "true", "search": "Kurs"}),
        (
            d.url("hsds_services"),
            {"per_page": 50, "taxonomy_term_id": term_id(hsds.STATUS_TAXONOMY, "gestattung")},
        ),
        (d.url("hsds_service_at_locations"), {"per_page": 50, "full": "true"}),
        (d.url("hsds_organizations"), {"per_page": 50, "full_service": "true"}),
        (d.url("hsds_taxonomy_terms"), {"per_page": 50}),
        (d.url("hsds_export"), {}),
    ]
    for url, params in cases:
        with django_assert_max_num_queries(8):
            response = client.get(url, params)
        assert response.status_code == 200, (url, params)
    body = client.get(d.url("hsds_services"), {"per_page": 50, "full": "true"}).json()
    assert body["size"] == 50
    courses = [s for s in body["contents"] if s["name"].startswith("Kurs ")]
    assert courses and all(len(s["schedules"]) == 2 for s in courses)


def test_the_schema_check_catches_errors() -> None:
    with pytest.raises(AssertionError, match="name"):
        assert_valid({"id": str(uuid.uuid4()), "status": "active"}, "compiled/service")
    with pytest.raises(AssertionError, match="uuid"):
        assert_valid({"id": "x", "name": "n", "status": "active"}, "compiled/service_list")
    with pytest.raises(AssertionError, match="status"):
        assert_valid({"id": str(uuid.uuid4()), "name": "n", "status": "aktiv"}, "compiled/service")
    with pytest.raises(AssertionError, match="None is not of type"):
        assert_valid(
            {"id": str(uuid.uuid4()), "name": "n", "status": "active", "email": None},
            "compiled/service",
        )
    with pytest.raises(AssertionError, match="date-time"):
        assert_valid(
            {"id": str(uuid.uuid4()), "name": "n", "status": "active", "last_modified": "gestern"},
            "compiled/service",
        )
    term = {"id": str(uuid.uuid4()), "name": "n", "description": "d", "taxonomy_detail": {}}
    with pytest.raises(AssertionError, match="taxonomy_detail"):
        assert_valid(term, "schema/taxonomy_term")


# --- conditional requests and the answer cache ---------------------------------------------------


def test_answers_carry_an_etag_and_revalidate_with_304(
    client: Client, world: World, directory: Directory, django_assert_max_num_queries: Any
) -> None:
    from teilhabe.offers.services import offer_update

    d = directory
    url = d.url("hsds_services")
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "public, no-cache"
    # the same address again: the same answer from the cache (tenant + token only)
    with django_assert_max_num_queries(2):
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == etag
    # a client that has it gets 304 without a body
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    # another page is another answer
    assert client.get(url, {"per_page": 1})["ETag"] != etag
    # any change to the directory: a new ETag and the new content, at once
    offer_update(
        actor=world.users["coordination"],
        offer=d.course,
        data={"title": "Neuer Titel des Kurses"},
        version=d.course.version,
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Neuer Titel des Kurses" in changed.content.decode()


def test_errors_are_not_cached(client: Client, directory: Directory) -> None:
    d = directory
    url = d.url("hsds_services")
    assert client.get(url, {"format": "xml"}).status_code == 400
    assert client.get(url, {"format": "xml"}).status_code == 400
    ndjson = client.get(url, {"format": "ndjson"})
    assert ndjson.status_code == 200
    assert ndjson["Content-Type"].startswith("application/x-ndjson")

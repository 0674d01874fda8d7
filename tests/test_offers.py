"""The offer directory's staff pages: list and filters, detail, create/edit, duplicate,
history, providers, permissions and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from teilhabe.audit.models import AuditEvent
from teilhabe.core.errors import ConflictError
from teilhabe.offers.models import Category, Offer, OfferLocation, OfferSchedule, Provider
from teilhabe.offers.services import offer_update
from teilhabe.territory.models import Territory

from .conftest import World, login
from .factories import make_offer, make_provider


def _url(name: str, world: World, **kw: Any) -> str:
    return reverse(f"offers:{name}", kwargs={"tenant_id": world.tenant.public_id, **kw})


def _form_data(world: World, provider: Provider, **overrides: Any) -> dict[str, Any]:
    gemeinde = Territory.objects.get(name="Verl")
    data: dict[str, Any] = {
        "key": "bo-handwerk-1",
        "title": "Berufsorientierung im Handwerk",
        "description": "Werkstatttage",
        "category": Category.objects.get(code="berufsorientierung").pk,
        "provider": provider.pk,
        "status": "aktiv",
        "start_date": "2026-09-01",
        "end_date": "2026-12-18",
        "capacity": "12",
        "seats_taken": "3",
        "waiting_list": "0",
        "languages": ["de", "ar"],
        "cost": "0",
        "loc-TOTAL_FORMS": "1",
        "loc-INITIAL_FORMS": "0",
        "loc-0-street": "Paderborner Straße 5",
        "loc-0-postcode": "33415",
        "loc-0-city": "Verl",
        "loc-0-gemeinde": gemeinde.pk,
        "sched-TOTAL_FORMS": "1",
        "sched-INITIAL_FORMS": "0",
        "sched-0-weekday": "2",
        "sched-0-opens_at": "09:00",
        "sched-0-closes_at": "12:30",
    }
    data.update(overrides)
    return data


def test_coordination_creates_offer_with_location_and_times(world: World) -> None:
    provider = make_provider(world.tenant)
    client = login(Client(), world.users["coordination"])
    response = client.post(_url("offer_create", world), _form_data(world, provider))
    assert response.status_code == 302, response.content.decode()[-2000:]
    offer = Offer.objects.get(key="bo-handwerk-1")
    assert offer.tenant == world.tenant
    assert offer.languages == ["de", "ar"]
    assert [str(x) for x in OfferLocation.objects.filter(offer=offer)] == [
        "Paderborner Straße 5, 33415 Verl"
    ]
    assert OfferSchedule.objects.get(offer=offer).weekday == 2
    assert AuditEvent.objects.filter(action="offer.create", object_id=str(offer.public_id)).exists()
    detail = client.get(_url("offer_detail", world, offer_id=offer.public_id)).content.decode()
    assert "Berufsorientierung im Handwerk" in detail and "9 von 12 frei" in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2026-08-01"}, "Das Ende liegt vor dem Beginn."),
        ({"start_date": "31.02.2026"}, "gültiges Datum"),
        ({"capacity": "-3"}, "größer oder gleich 0"),
        ({"seats_taken": "20"}, "mehr Plätze belegt als vorhanden"),
        ({"category": "999999"}, "keine gültige Auswahl"),
        ({"loc-0-postcode": "3341"}, "Fünf Ziffern."),
        ({"sched-0-closes_at": "08:00"}, "Das Ende liegt vor dem Beginn."),
        ({"title": ""}, "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_bad_offer_input_shows_german_error_and_writes_nothing(
    world: World, overrides: dict[str, Any], message: str
) -> None:
    provider = make_provider(world.tenant)
    client = login(Client(), world.users["coordination"])
    response = client.post(_url("offer_create", world), _form_data(world, provider, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Offer.objects.filter(tenant=world.tenant).exists()
    assert not OfferLocation.objects.exists()


def test_duplicate_key_is_refused(world: World) -> None:
    provider = make_provider(world.tenant)
    make_offer(world.tenant, provider, key="bo-handwerk-1")
    client = login(Client(), world.users["coordination"])
    response = client.post(_url("offer_create", world), _form_data(world, provider))
    assert "Ein Angebot mit dieser Nummer gibt es bereits." in response.content.decode()
    assert Offer.objects.filter(tenant=world.tenant).count() == 1


def test_provider_edits_only_own_offers(world: World) -> None:
    own = make_provider(world.tenant, "Eigener Träger", staff=[world.users["provider"]])
    foreign = make_provider(world.tenant, "Fremder Träger")
    mine = make_offer(world.tenant, own, key="mine")
    theirs = make_offer(world.tenant, foreign, key="theirs")
    client = login(Client(), world.users["provider"])
    assert client.get(_url("offer_edit", world, offer_id=mine.public_id)).status_code == 200
    assert client.get(_url("offer_edit", world, offer_id=theirs.public_id)).status_code == 403
    # creating for a foreign provider is refused, nothing written
    response = client.post(_url("offer_create", world), _form_data(world, foreign, key="neu"))
    assert response.status_code == 200
    assert not Offer.objects.filter(key="neu").exists()
    response = client.post(_url("offer_create", world), _form_data(world, own, key="neu"))
    assert response.status_code == 302
    assert Offer.objects.get(key="neu").provider == own


def test_edit_records_history_and_detects_conflicts(world: World) -> None:
    provider = make_provider(world.tenant)
    offer = make_offer(world.tenant, provider)
    client = login(Client(), world.users["coordination"])
    data = _form_data(
        world, provider, key=offer.key, title="Deutschkurs A1 (neu)", version=str(offer.version)
    )
    assert client.post(_url("offer_edit", world, offer_id=offer.public_id), data).status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Deutschkurs A1 (neu)" and offer.version == 2
    history = client.get(_url("offer_history", world, offer_id=offer.public_id)).content.decode()
    assert "Deutschkurs A1 für junge Erwachsene" in history and "Deutschkurs A1 (neu)" in history
    # a second editor still holding version 1 gets a conflict message; nothing is overwritten
    stale = _form_data(world, provider, key=offer.key, title="Alter Stand", version="1")
    response = client.post(_url("offer_edit", world, offer_id=offer.public_id), stale)
    assert "inzwischen geändert" in response.content.decode()
    offer.refresh_from_db()
    assert offer.title == "Deutschkurs A1 (neu)"
    with pytest.raises(ConflictError):
        offer_update(actor=world.users["coordination"], offer=offer, data={"title": "x"}, version=1)


def test_duplicate_creates_new_run(world: World) -> None:
    provider = make_provider(world.tenant)
    offer = make_offer(world.tenant, provider)
    client = login(Client(), world.users["coordination"])
    response = client.post(
        _url("offer_duplicate", world, offer_id=offer.public_id),
        {"key": "sprachkurs-a1-2027", "start_date": "2027-03-01", "end_date": "2027-07-31"},
    )
    assert response.status_code == 302
    copy = Offer.objects.get(key="sprachkurs-a1-2027")
    assert copy.status == "geplant" and copy.seats_taken == 0
    assert copy.locations.count() == 1 and copy.schedules.count() == 1
    bad = client.post(
        _url("offer_duplicate", world, offer_id=offer.public_id),
        {"key": "zu-frueh", "start_date": "2027-03-01", "end_date": "2027-01-01"},
    )
    assert "Das Ende liegt vor dem Beginn." in bad.content.decode()
    assert not Offer.objects.filter(key="zu-frueh").exists()


def test_list_filters_and_search(world: World) -> None:
    vhs = make_provider(world.tenant, "VHS Gütersloh")
    jmd = make_provider(world.tenant, "JMD Caritas", kind="jmd")
    make_offer(world.tenant, vhs, key="a1", title="Deutschkurs A1", capacity=10, seats_taken=10)
    make_offer(
        world.tenant,
        jmd,
        key="beratung",
        title="Migrationsberatung",
        category_code="beratung",
        capacity=None,
        seats_taken=0,
        languages=["de", "uk"],
        status="geplant",
    )
    other_provider = make_provider(world.other_tenant, "VHS Bielefeld")
    make_offer(world.other_tenant, other_provider, key="fremd", title="Deutschkurs Bielefeld")
    client = login(Client(), world.users["volunteer"])
    url = _url("offer_list", world)

    def titles(**params: str) -> list[str]:
        page = client.get(url, params).context["page"]
        return [o.title for o in page.object_list]

    assert titles() == ["Deutschkurs A1", "Migrationsberatung"]
    assert titles(q="deutschkurs") == ["Deutschkurs A1"]
    assert titles(q="Caritas") == ["Migrationsberatung"]
    assert titles(category="beratung") == ["Migrationsberatung"]
    assert titles(provider=str(vhs.public_id)) == ["Deutschkurs A1"]
    assert titles(status="geplant") == ["Migrationsberatung"]
    assert titles(free_seats="on") == ["Migrationsberatung"]
    assert titles(language="uk") == ["Migrationsberatung"]
    gemeinde = Offer.objects.get(key="a1").locations.first().gemeinde
    assert "Deutschkurs A1" in titles(gemeinde=gemeinde.ags)


def test_list_query_count_does_not_grow(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    provider = make_provider(world.tenant)
    client = login(Client(), world.users["coordination"])
    url = _url("offer_list", world)
    client.get(url)
    for i in range(3):
        make_offer(world.tenant, provider, key=f"o{i}")
    with django_assert_max_num_queries(30) as ctx:
        client.get(url)  # the directory changed: the list is built again
    baseline = len(ctx.captured_queries)
    for i in range(3, 20):
        make_offer(world.tenant, provider, key=f"o{i}")
    with django_assert_max_num_queries(baseline):
        response = client.get(url)  # rebuilt with 20 offers
    assert len(response.context["page"].object_list) == 20


def test_list_is_kept_per_directory_state_and_shows_every_change(world: World) -> None:
    provider = make_provider(world.tenant, "VHS Gütersloh")
    offer = make_offer(world.tenant, provider, key="a1", title="Deutschkurs A1")
    coordination = login(Client(), world.users["coordination"])
    url = _url("offer_list", world)
    first = coordination.get(url, {"q": "deutsch"})
    assert "Deutschkurs A1" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = coordination.get(url, {"q": "deutsch"})
    body = first.content.decode().split('<form method="get"')[1]
    assert again.content.decode().split('<form method="get"')[1] == body
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "offers_offer" in sql  # the version token reads the directory ...
    assert not any(q["sql"].startswith("SELECT DISTINCT") for q in queries.captured_queries)
    assert len(queries.captured_queries) < 10  # ... but the list is not built again

    # every role sees the same directory; the role's own buttons are not kept
    volunteer = login(Client(), world.users["volunteer"]).get(url, {"q": "deutsch"})
    assert "Deutschkurs A1" in volunteer.content.decode()
    assert "Neues Angebot" in first.content.decode()
    assert "Neues Angebot" not in volunteer.content.decode()

    # any change to offers or providers is shown at once
    offer.title = "Deutschkurs A2"
    offer.save()
    assert "Deutschkurs A2" in coordination.get(url, {"q": "deutsch"}).content.decode()
    provider.name = "Volkshochschule Gütersloh"
    provider.save()
    assert "Volkshochschule Gütersloh" in coordination.get(url, {"q": "deutsch"}).content.decode()

    # the interface language is part of the key
    coordination.post(reverse("set_language"), {"language": "en", "next": url})
    english = coordination.get(url, {"q": "deutsch"}).content.decode()
    assert "1 offer" in english and "1 Angebot" not in english


def test_export_xlsx_and_csv(world: World) -> None:
    provider = make_provider(world.tenant)
    make_offer(world.tenant, provider, title='=HYPERLINK("http://evil")')
    client = login(Client(), world.users["case_worker"])
    xlsx = client.get(_url("offer_export", world), {"format": "xlsx"})
    assert xlsx.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(xlsx.content)).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Angebotsnummer", "Titel", "Beschreibung"]
    assert ws.cell(row=2, column=2).value == '\'=HYPERLINK("http://evil")'
    csv_response = client.get(_url("offer_export", world), {"format": "csv"})
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Angebotsnummer;Titel")
    assert "'=HYPERLINK" in text


def test_provider_management(world: World) -> None:
    client = login(Client(), world.users["coordination"])
    response = client.post(
        _url("provider_create", world),
        {
            "name": "AWO Kreisverband",
            "kind": "wohlfahrtsverband",
            "is_active": "on",
            "staff": [world.users["provider"].pk],
        },
    )
    assert response.status_code == 302
    provider = Provider.objects.get(name="AWO Kreisverband")
    assert list(provider.staff.all()) == [world.users["provider"]]
    dup = client.post(
        _url("provider_create", world), {"name": "awo kreisverband", "kind": "verein"}
    )
    assert "Einen Träger mit diesem Namen gibt es bereits." in dup.content.decode()
    wrong_staff = client.post(
        _url("provider_create", world),
        {"name": "Verein X", "kind": "verein", "staff": [world.users["volunteer"].pk]},
    )
    assert wrong_staff.status_code == 200
    assert not Provider.objects.filter(name="Verein X").exists()
    assert (
        login(Client(), world.users["provider"])
        .post(_url("provider_create", world), {"name": "Y", "kind": "verein"})
        .status_code
        == 403
    )

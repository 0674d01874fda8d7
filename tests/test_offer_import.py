"""Offer import from XLSX and CSV: real files through the upload page, every row checked,
errors by row and column in German, all rows or none, re-import of an export by key."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from teilhabe.accounts.roles import CAPABILITIES, Cap, Role
from teilhabe.audit.models import AuditEvent
from teilhabe.offers import imports, services
from teilhabe.offers.columns import COLUMNS, HEADERS
from teilhabe.offers.models import Offer, OfferLocation, OfferSchedule, RuleSetRecord

from .conftest import World, login
from .factories import make_offer, make_provider

NOT_A_TABLE = "Die Datei ist weder eine XLSX- noch eine CSV-Datei."


# --------------------------------------------------------------------------- helpers


def _url(name: str, world: World) -> str:
    return reverse(f"offers:{name}", kwargs={"tenant_id": world.tenant.public_id})


def _row(**overrides: Any) -> dict[str, Any]:
    """A valid offer row for the Kreis Gütersloh world, keyed by column header."""
    row: dict[str, Any] = {
        "Angebotsnummer": "dk-a2-2026",
        "Titel": "Deutschkurs A2",
        "Beschreibung": "Deutsch für Alltag und Beruf",
        "Kategorie": "sprache",
        "Förderung": "f2",
        "Träger": "VHS Gütersloh",
        "Status": "aktiv",
        "Beginn": "01.09.2026",
        "Ende": "26.02.2027",
        "Unterrichtsstunden": "300",
        "Zeiten": "Mo 09:00-12:30; Mi 14:00-16:00",
        "Plätze": "16",
        "Belegte Plätze": "4",
        "Warteliste": "0",
        "Unterrichtssprachen": "de, ar",
        "Sprachniveau Voraussetzung": "A1",
        "Sprachniveau Ziel": "A2",
        "Mindestalter": "18",
        "Höchstalter": "27",
        "Kosten (EUR)": "12,50",
        "Fahrtkosten erstattet": "ja",
        "Kinderbetreuung vor Ort": "x",
        "Nur für Frauen": "",
        "E-Mail": "kurse@vhs.example.org",
        "Ort": "Kursraum 2",
        "Straße": "Paderborner Straße 5",
        "PLZ": "33415",
        "Stadt": "Verl",
        "Gemeinde (AGS)": "05754044",
    }
    row.update(overrides)
    return row


def _table(rows: list[dict[str, Any]], headers: list[str] | None = None) -> list[list[Any]]:
    headers = headers or list(rows[0])
    return [headers, *[[r.get(h, "") for h in headers] for r in rows]]


def _xlsx(table: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Angebote"
    for line in table:
        ws.append(line)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv(table: list[list[Any]], delimiter: str = ";", bom: bool = True) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(table)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def _upload(client: Client, world: World, content: bytes, name: str = "angebote.xlsx") -> Any:
    return client.post(_url("offer_import", world), {"file": SimpleUploadedFile(name, content)})


def _errors(response: Any) -> list[tuple[int, str, str]]:
    """The error table of the import page as (row, column, message)."""
    page = response.content.decode()
    table = re.search(r'<table[^>]*id="import-errors".*?</table>', page, re.S)
    if table is None:
        return []
    found = re.findall(
        r'<th scope="row"[^>]*>(\d+)</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>',
        table.group(0),
        re.S,
    )
    return [(int(r), html.unescape(c), html.unescape(m)) for r, c, m in found]


def _has_error(response: Any, row: int, column: str, message: str) -> bool:
    return any(r == row and c == column and message in m for r, c, m in _errors(response))


def _page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def coordination(world: World) -> Client:
    make_provider(world.tenant, "VHS Gütersloh")
    make_provider(world.tenant, "Caritas Verl", kind="wohlfahrtsverband")
    return login(Client(), world.users["coordination"])


def _nothing_written(before: int) -> None:
    assert Offer.objects.count() == before
    assert not AuditEvent.objects.filter(action__in=["offer.create", "offer.import"]).exists()


# --------------------------------------------------------------------------- success


def test_valid_xlsx_import_creates_offers_with_locations_and_schedules(
    world: World, coordination: Client
) -> None:
    content = _xlsx(
        _table(
            [
                _row(),
                _row(
                    **{
                        "Angebotsnummer": "bo-handwerk",
                        "Titel": "Berufsorientierung im Handwerk",
                        "Kategorie": "Berufsorientierung und -vorbereitung",
                        "Träger": "caritas verl",
                        "Zeiten": "Di, Do 9.00-12.00",
                        "Gemeinde (AGS)": "Gütersloh",
                        "PLZ": "33330",
                        "Stadt": "Gütersloh",
                    }
                ),
            ]
        )
    )
    response = _upload(coordination, world, content)
    assert response.status_code == 200
    text = _page_text(response)
    assert "Import abgeschlossen" in text and _errors(response) == []
    assert re.search(r"Neu angelegt</dt>\s*<dd[^>]*>2<", text)

    offer = Offer.objects.get(tenant=world.tenant, key="dk-a2-2026")
    assert offer.title == "Deutschkurs A2"
    assert offer.category.code == "sprache" and offer.funding and offer.funding.code == "f2"
    assert offer.provider.name == "VHS Gütersloh" and offer.status == "aktiv"
    assert (offer.start_date, offer.end_date) == (date(2026, 9, 1), date(2027, 2, 26))
    assert (offer.capacity, offer.seats_taken, offer.teaching_hours) == (16, 4, 300)
    assert offer.languages == ["de", "ar"]
    assert offer.cost == Decimal("12.50")
    assert offer.travel_costs_reimbursed and offer.childcare_on_site and not offer.women_only
    assert (offer.min_age, offer.max_age) == (18, 27)
    location = OfferLocation.objects.get(offer=offer)
    assert (location.name, str(location), location.gemeinde.name) == (
        "Kursraum 2",
        "Paderborner Straße 5, 33415 Verl",
        "Verl",
    )
    assert [
        (s.weekday, s.opens_at, s.closes_at) for s in OfferSchedule.objects.filter(offer=offer)
    ] == [(1, time(9), time(12, 30)), (3, time(14), time(16))]

    other = Offer.objects.get(tenant=world.tenant, key="bo-handwerk")
    assert other.category.code == "berufsorientierung" and other.provider.name == "Caritas Verl"
    assert OfferLocation.objects.get(offer=other).gemeinde.ags == "05754008"
    assert sorted(OfferSchedule.objects.filter(offer=other).values_list("weekday", flat=True)) == [
        2,
        4,
    ]

    assert AuditEvent.objects.filter(action="offer.create").count() == 2
    event = AuditEvent.objects.get(action="offer.import")
    assert event.tenant == world.tenant and event.actor == world.users["coordination"]
    assert {k: event.changes["_details"][k] for k in ("created", "updated", "unchanged")} == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", False), (";", False)])
def test_csv_import_with_either_delimiter_and_optional_bom(
    world: World, coordination: Client, delimiter: str, bom: bool
) -> None:
    content = _csv(_table([_row()]), delimiter=delimiter, bom=bom)
    response = _upload(coordination, world, content, name="angebote.csv")
    assert "Import abgeschlossen" in _page_text(response), _errors(response)
    offer = Offer.objects.get(key="dk-a2-2026")
    assert offer.cost == Decimal("12.50") and offer.languages == ["de", "ar"]
    assert OfferSchedule.objects.filter(offer=offer).count() == 2


def test_file_type_is_detected_by_content_not_by_name(world: World, coordination: Client) -> None:
    # a CSV called .xlsx and an XLSX called .csv both import
    csv_named_xlsx = _csv(_table([_row()]))
    assert "Import abgeschlossen" in _page_text(_upload(coordination, world, csv_named_xlsx))
    xlsx_named_csv = _xlsx(_table([_row(Angebotsnummer="zweites")]))
    response = _upload(coordination, world, xlsx_named_csv, name="angebote.csv")
    assert "Import abgeschlossen" in _page_text(response)
    assert Offer.objects.filter(key__in=["dk-a2-2026", "zweites"]).count() == 2


def test_xlsx_cells_with_real_dates_and_numbers_are_read(
    world: World, coordination: Client
) -> None:
    row = _row(
        Beginn=datetime(2026, 9, 1),
        Ende="2027-02-26",
        Plätze=16,
        **{
            "Belegte Plätze": 4.0,
            "Kosten (EUR)": 7.5,
            "PLZ": 33415,
            "Gemeinde (AGS)": 5754044,  # Excel dropped the leading zero
            "Fahrtkosten erstattet": True,
            "Zeiten": "Mo-Fr 08:30-12:00",
            "Unterrichtssprachen": "DE; uk",
            "Status": "Geplant",
        },
    )
    response = _upload(coordination, world, _xlsx(_table([row])))
    assert "Import abgeschlossen" in _page_text(response), _errors(response)
    offer = Offer.objects.get(key="dk-a2-2026")
    assert (offer.start_date, offer.end_date) == (date(2026, 9, 1), date(2027, 2, 26))
    assert (offer.capacity, offer.seats_taken, offer.cost) == (16, 4, Decimal("7.50"))
    assert offer.languages == ["de", "uk"] and offer.status == "geplant"
    assert offer.travel_costs_reimbursed
    assert OfferLocation.objects.get(offer=offer).postcode == "33415"
    assert list(OfferSchedule.objects.filter(offer=offer).values_list("weekday", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_column_order_is_free_and_optional_columns_may_be_left_out(
    world: World, coordination: Client
) -> None:
    headers = ["Status", "Träger", "Kategorie", "Titel", "Angebotsnummer"]
    response = _upload(coordination, world, _xlsx(_table([_row()], headers=headers)))
    assert "Import abgeschlossen" in _page_text(response), _errors(response)
    offer = Offer.objects.get(key="dk-a2-2026")
    assert offer.capacity is None and offer.seats_taken == 0 and offer.cost == Decimal("0")
    assert not OfferLocation.objects.filter(offer=offer).exists()


def test_rule_set_by_code_tenant_rule_set_wins(world: World, coordination: Client) -> None:
    RuleSetRecord.objects.create(code="kreis.sprache", name="Global", definition={})
    own = RuleSetRecord.objects.create(
        tenant=world.tenant, code="kreis.sprache", name="Eigene", definition={}
    )
    response = _upload(coordination, world, _xlsx(_table([_row(Teilnahmeregeln="kreis.sprache")])))
    assert "Import abgeschlossen" in _page_text(response), _errors(response)
    assert Offer.objects.get(key="dk-a2-2026").rule_set == own


# --------------------------------------------------------------------------- re-import


def _exported(client: Client, world: World, fmt: str) -> bytes:
    response = client.get(_url("offer_export", world), {"format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _change_title(content: bytes, fmt: str, key: str, title: str) -> bytes:
    """Edit one title in an exported file, as a user would in a spreadsheet."""
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(content))
        ws = wb["Angebote"]
        header = [c.value for c in ws[1]]
        key_col, title_col = header.index("Angebotsnummer"), header.index("Titel")
        for row in ws.iter_rows(min_row=2):
            if row[key_col].value == key:
                row[title_col].value = title
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    key_col, title_col = rows[0].index("Angebotsnummer"), rows[0].index("Titel")
    for row in rows[1:]:
        if row[key_col] == key:
            row[title_col] = title
    return _csv(rows)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reimport_of_exported_file_updates_by_key_without_duplicates(
    world: World, coordination: Client, fmt: str
) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    first = make_offer(world.tenant, provider, key="sprachkurs-a1", cost=Decimal("5.00"))
    second = make_offer(world.tenant, provider, key="sprachkurs-b1", title="Deutschkurs B1")
    exported = _exported(coordination, world, fmt)

    edited = _change_title(exported, fmt, "sprachkurs-a1", "Deutschkurs A1 (neu)")
    response = _upload(coordination, world, edited, name=f"angebote.{fmt}")
    text = _page_text(response)
    assert "Import abgeschlossen" in text, _errors(response)
    assert re.search(r"Aktualisiert</dt>\s*<dd[^>]*>1<", text)
    assert re.search(r"Unverändert</dt>\s*<dd[^>]*>1<", text)

    assert Offer.objects.filter(tenant=world.tenant).count() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title == "Deutschkurs A1 (neu)" and first.version == 2
    assert first.cost == Decimal("5.00") and second.version == 1
    # locations, times and languages survived the round trip unchanged
    assert OfferLocation.objects.filter(offer=first).count() == 1
    assert OfferSchedule.objects.filter(offer=first).count() == 1
    assert first.languages == ["de", "ar"]
    update = AuditEvent.objects.get(action="offer.update")
    assert update.object_id == str(first.public_id)
    assert update.changes["title"] == [
        "Deutschkurs A1 für junge Erwachsene",
        "Deutschkurs A1 (neu)",
    ]
    history = coordination.get(
        reverse(
            "offers:offer_history",
            kwargs={"tenant_id": world.tenant.public_id, "offer_id": first.public_id},
        )
    )
    assert "Deutschkurs A1 (neu)" in history.content.decode()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_unchanged_export_reimports_without_any_write(
    world: World, coordination: Client, fmt: str
) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    offer = make_offer(world.tenant, provider, women_only=True, cost=Decimal("12.5"))
    location = OfferLocation.objects.get(offer=offer)
    location.latitude, location.longitude = Decimal("51.9"), Decimal("8.4")
    location.save()
    OfferLocation.objects.create(
        tenant=world.tenant,
        offer=offer,
        street="Zweiter Ort 1",
        postcode="33330",
        city="Gütersloh",
        gemeinde=location.gemeinde,
    )
    response = _upload(coordination, world, _exported(coordination, world, fmt), f"a.{fmt}")
    text = _page_text(response)
    assert re.search(r"Unverändert</dt>\s*<dd[^>]*>1<", text), _errors(response)
    offer.refresh_from_db()
    assert offer.version == 1
    assert not AuditEvent.objects.filter(action="offer.update").exists()
    # the second location (not in the file) and the coordinates are kept
    assert OfferLocation.objects.filter(offer=offer).count() == 2
    assert OfferLocation.objects.get(pk=location.pk).latitude == Decimal("51.900000")


def test_changed_location_replaces_the_first_location_only(
    world: World, coordination: Client
) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    offer = make_offer(world.tenant, provider)
    gemeinde = OfferLocation.objects.get(offer=offer).gemeinde
    OfferLocation.objects.create(
        tenant=world.tenant,
        offer=offer,
        street="Zweiter Ort 1",
        postcode="33330",
        city="Gütersloh",
        gemeinde=gemeinde,
    )
    row = _row(
        Angebotsnummer=offer.key,
        Träger="JMD Gütersloh",
        Zeiten="Fr 10:00-11:00",
        **{"Straße": "Neue Straße 9"},
    )
    response = _upload(coordination, world, _xlsx(_table([row])))
    assert "Import abgeschlossen" in _page_text(response), _errors(response)
    streets = list(
        OfferLocation.objects.filter(offer=offer).order_by("id").values_list("street", flat=True)
    )
    assert streets == ["Neue Straße 9", "Zweiter Ort 1"]
    assert list(OfferSchedule.objects.filter(offer=offer).values_list("weekday", flat=True)) == [5]
    update = AuditEvent.objects.get(action="offer.update", object_id=str(offer.public_id))
    assert "locations" in update.changes and "schedules" in update.changes


# --------------------------------------------------------------------------- bad input


BAD_CELLS = [
    ({"Beginn": "31.02.2026"}, "Beginn", "Das Datum 31.02.2026 gibt es nicht."),
    ({"Beginn": "nächste Woche"}, "Beginn", "Das ist kein Datum; bitte TT.MM.JJJJ schreiben"),
    ({"Ende": "01.08.2026"}, "Ende", "Das Ende liegt vor dem Beginn."),
    ({"Plätze": "-3"}, "Plätze", "Die Zahl darf nicht negativ sein."),
    ({"Plätze": "zwölf"}, "Plätze", "Bitte eine ganze Zahl (0 oder größer) angeben."),
    ({"Belegte Plätze": "20"}, "Belegte Plätze", "Es sind mehr Plätze belegt als vorhanden."),
    ({"Mindestalter": "27", "Höchstalter": "18"}, "Höchstalter", "Das Höchstalter liegt unter"),
    ({"Kategorie": "Tanzen"}, "Kategorie", "Unbekannte Kategorie „Tanzen“"),
    ({"Förderung": "f9"}, "Förderung", "Unbekannte Förderung „f9“"),
    (
        {"Träger": "Unbekannter Verein"},
        "Träger",
        "Einen Träger „Unbekannter Verein“ gibt es in diesem Mandanten nicht",
    ),
    (
        {"Gemeinde (AGS)": "Bielefeld"},
        "Gemeinde (AGS)",
        "Die Gemeinde „Bielefeld“ liegt nicht im Gebiet dieses Mandanten",
    ),
    (
        {"Gemeinde (AGS)": "05711000"},
        "Gemeinde (AGS)",
        "Die Gemeinde „05711000“ liegt nicht im Gebiet dieses Mandanten",
    ),
    ({"Status": "offen"}, "Status", "Unbekannter Status „offen“"),
    ({"Unterrichtssprachen": "de, xx"}, "Unterrichtssprachen", "Unbekannter Sprachcode „xx“"),
    ({"Sprachniveau Ziel": "D1"}, "Sprachniveau Ziel", "Unbekanntes Sprachniveau „D1“"),
    ({"Zeiten": "montags früh"}, "Zeiten", "„montags früh“ ist nicht lesbar"),
    ({"Zeiten": "Mo 12:00-09:00"}, "Zeiten", "liegt das Ende vor dem Beginn"),
    ({"Fahrtkosten erstattet": "vielleicht"}, "Fahrtkosten erstattet", "Bitte „ja“ oder „nein“"),
    ({"Kosten (EUR)": "gratis"}, "Kosten (EUR)", "Bitte einen Betrag wie 12,50 angeben."),
    ({"Kosten (EUR)": "1,234"}, "Kosten (EUR)", "höchstens zwei Nachkommastellen"),
    ({"PLZ": "3341"}, "PLZ", "Die Postleitzahl hat fünf Ziffern."),
    ({"Straße": ""}, "Straße", "Für einen Ort sind Straße, PLZ, Stadt und Gemeinde nötig."),
    ({"E-Mail": "kein-at-zeichen"}, "E-Mail", "Das ist keine gültige E-Mail-Adresse."),
    ({"Titel": ""}, "Titel", "In dieser Spalte ist eine Angabe Pflicht."),
    ({"Titel": "x" * 201}, "Titel", "Der Text ist zu lang (201 Zeichen; höchstens 200)."),
    ({"Angebotsnummer": "Kurs 1"}, "Angebotsnummer", "Erlaubt sind nur Buchstaben, Ziffern"),
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("overrides", "column", "message"), BAD_CELLS)
def test_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(
    world: World,
    coordination: Client,
    fmt: str,
    overrides: dict[str, Any],
    column: str,
    message: str,
) -> None:
    before = Offer.objects.count()
    bad = _row(**{"Angebotsnummer": "schlecht-2", **overrides})
    table = _table([_row(Angebotsnummer="gut-1"), bad])
    content = _xlsx(table) if fmt == "xlsx" else _csv(table)
    response = _upload(coordination, world, content, name=f"angebote.{fmt}")
    assert response.status_code == 200
    assert _has_error(response, 3, column, message), _errors(response)
    assert all(row == 3 for row, _c, _m in _errors(response)), _errors(response)
    text = _page_text(response)
    assert "Es wurde nichts importiert" in text and "Import abgeschlossen" not in text
    _nothing_written(before)


def test_all_errors_of_all_rows_are_collected(world: World, coordination: Client) -> None:
    table = _table(
        [
            _row(Angebotsnummer="a-1", Beginn="32.13.2026", Plätze="-1"),
            _row(Angebotsnummer="a-2"),
            _row(Angebotsnummer="a-3", Kategorie="nix", Status="weg"),
        ]
    )
    response = _upload(coordination, world, _xlsx(table))
    errors = {(r, c) for r, c, _m in _errors(response)}
    assert errors == {(2, "Beginn"), (2, "Plätze"), (4, "Kategorie"), (4, "Status")}
    assert "Die Datei enthält 4 Fehler." in _page_text(response)
    _nothing_written(0)


def test_duplicate_key_in_file(world: World, coordination: Client) -> None:
    table = _table([_row(), _row(Titel="Noch einmal")])
    response = _upload(coordination, world, _csv(table), name="a.csv")
    assert _has_error(
        response,
        3,
        "Angebotsnummer",
        "Die Angebotsnummer „dk-a2-2026“ kommt in der Datei mehrfach vor (zuerst in Zeile 2).",
    ), _errors(response)
    _nothing_written(0)


def test_unknown_and_missing_columns_are_named(world: World, coordination: Client) -> None:
    row = _row(Farbe="blau")
    del row["Träger"]
    response = _upload(coordination, world, _xlsx(_table([row])))
    assert _has_error(response, 1, "Farbe", "Unbekannte Spalte „Farbe“."), _errors(response)
    assert _has_error(response, 1, "Träger", "Die Pflichtspalte „Träger“ fehlt.")
    _nothing_written(0)


def test_duplicate_column_and_value_without_header(world: World, coordination: Client) -> None:
    table = _table([_row()])
    table[0].append("Titel")
    table[1].append("doppelt")
    response = _upload(coordination, world, _xlsx(table))
    assert _has_error(response, 1, "Titel", "Die Spalte „Titel“ kommt mehrfach vor.")
    table = _table([_row()])
    table[1].extend(["", "Wert ohne Spalte"])
    response = _upload(coordination, world, _csv(table), name="a.csv")
    letter = get_column_letter(len(table[0]) + 2)
    assert _has_error(response, 2, letter, "Diese Spalte hat keine Überschrift"), _errors(response)
    _nothing_written(0)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def _zip_without_workbook() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hallo.txt", "kein Arbeitsblatt")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [PNG, PDF, _zip_without_workbook(), b"\x00\x01\x02 binary \xff\xfe"],
    ids=["png", "pdf", "zip", "binary"],
)
def test_other_file_renamed_to_xlsx_is_refused(
    world: World, coordination: Client, content: bytes
) -> None:
    response = _upload(coordination, world, content, name="angebote.xlsx")
    assert response.status_code == 200
    assert NOT_A_TABLE in _page_text(response)
    assert _errors(response) == []
    _nothing_written(0)


def test_zip_bomb_is_refused_before_unpacking(
    world: World, coordination: Client, settings: Any
) -> None:
    import zipfile

    settings.TEILHABE_IMPORT_MAX_BYTES = 1_000_000  # allows 40 MB unpacked
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * 45_000_000)
    assert len(buffer.getvalue()) < 1_000_000
    response = _upload(coordination, world, buffer.getvalue())
    assert "Die Datei ist entpackt zu groß; bitte teilen Sie sie auf." in _page_text(response)
    _nothing_written(0)


def test_csv_in_windows_encoding_gets_a_hint(world: World, coordination: Client) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(_table([_row()]))
    response = _upload(coordination, world, out.getvalue().encode("cp1252"), name="a.csv")
    assert "Die CSV-Datei ist nicht in UTF-8 gespeichert." in _page_text(response)
    _nothing_written(0)


def test_twenty_megabyte_file_is_refused_before_parsing(
    world: World, coordination: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_parse(data: bytes) -> None:
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(imports, "read_table", must_not_parse)
    big = b"PK\x03\x04" + b"\0" * (20_000_000 - 4)
    response = _upload(coordination, world, big, name="gross.xlsx")
    text = _page_text(response)
    assert "Die Datei ist zu groß (20,0 MB)." in text
    assert "höchstens 5 MB auf einmal" in text
    _nothing_written(0)


def test_size_limit_is_a_setting(world: World, coordination: Client, settings: Any) -> None:
    settings.TEILHABE_IMPORT_MAX_BYTES = 1_500_000
    content = _csv(_table([_row(Beschreibung="x" * 2_000_000)]))
    response = _upload(coordination, world, content, name="a.csv")
    assert "Die Datei ist zu groß (2,0 MB)." in _page_text(response)
    assert "Höchstens 1,5 MB." in _page_text(response)
    _nothing_written(0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\xef\xbb\xbf \r\n", "Die Datei ist leer."),
        (_csv([HEADERS]), "Die Datei enthält keine Angebote, nur die Kopfzeile."),
    ],
    ids=["zero-bytes", "blank", "header-only"],
)
def test_empty_file_is_refused(
    world: World, coordination: Client, content: bytes, message: str
) -> None:
    response = _upload(coordination, world, content, name="leer.csv")
    assert message in _page_text(response)
    _nothing_written(0)


def test_post_without_file_asks_for_one(world: World, coordination: Client) -> None:
    response = coordination.post(_url("offer_import", world), {})
    assert "Bitte wählen Sie eine Datei aus." in _page_text(response)


# --------------------------------------------------------------------------- formula injection


def test_formula_is_exported_as_text_and_round_trips(world: World, coordination: Client) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    offer = make_offer(
        world.tenant, provider, title='=HYPERLINK("http://evil.example","Klick")', cost_note="+1"
    )
    exported = _exported(coordination, world, "xlsx")
    ws = load_workbook(io.BytesIO(exported))["Angebote"]
    header = [c.value for c in ws[1]]
    title = ws.cell(row=2, column=header.index("Titel") + 1)
    assert title.data_type == "s"  # a string, not a formula
    assert title.value == '\'=HYPERLINK("http://evil.example","Klick")'
    assert ws.cell(row=2, column=header.index("Hinweis zu Kosten") + 1).value == "'+1"
    exported_csv = _exported(coordination, world, "csv").decode("utf-8-sig")
    assert ";'=HYPERLINK(" in exported_csv.replace('"', "")

    for content, name in ((exported, "a.xlsx"), (exported_csv.encode(), "a.csv")):
        response = _upload(coordination, world, content, name=name)
        assert re.search(r"Unverändert</dt>\s*<dd[^>]*>1<", _page_text(response)), _errors(response)
    offer.refresh_from_db()
    assert offer.title.startswith("=HYPERLINK(") and offer.cost_note == "+1"
    assert offer.version == 1


def test_real_formula_cell_is_not_executed(world: World, coordination: Client) -> None:
    table = _table([_row()])
    table[1][table[0].index("Titel")] = "=1+1"  # openpyxl stores this as a formula
    table[1][table[0].index("Beschreibung")] = '=HYPERLINK("http://evil.example")'
    response = _upload(coordination, world, _xlsx(table))
    # without a computed value the formula cell is empty: the title is missing
    assert _has_error(response, 2, "Titel", "In dieser Spalte ist eine Angabe Pflicht.")
    _nothing_written(0)


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    "persona", ["case_worker", "volunteer", "provider", "alliance_member", "tenant_admin"]
)
def test_other_roles_get_403_on_post_and_nothing_is_written(world: World, persona: str) -> None:
    make_provider(world.tenant, "VHS Gütersloh")
    client = login(Client(), world.users[persona])
    response = _upload(client, world, _xlsx(_table([_row()])))
    assert response.status_code == 403
    assert client.get(_url("offer_import_template", world)).status_code == 403
    _nothing_written(0)


def test_member_of_another_tenant_gets_404(world: World) -> None:
    make_provider(world.tenant, "VHS Gütersloh")
    client = login(Client(), world.users["other_tenant"])
    assert _upload(client, world, _xlsx(_table([_row()]))).status_code == 404
    _nothing_written(0)


def test_provider_may_only_import_offers_of_own_organisation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a provider ever hold the import capability, the object rule still applies."""
    monkeypatch.setitem(
        CAPABILITIES, Cap.OFFERS_IMPORT, frozenset({Role.COORDINATION, Role.PROVIDER})
    )
    user = world.users["provider"]
    make_provider(world.tenant, "VHS Gütersloh", staff=[user])
    foreign = make_provider(world.tenant, "Caritas Verl", kind="wohlfahrtsverband")
    make_offer(world.tenant, foreign, key="fremd-1")
    client = login(Client(), user)
    table = _table(
        [
            _row(),
            _row(Angebotsnummer="neu-fremd", Träger="Caritas Verl"),
            _row(Angebotsnummer="fremd-1", Träger="VHS Gütersloh"),
        ]
    )
    response = _upload(client, world, _xlsx(table))
    own_only = "Sie dürfen nur Angebote Ihrer eigenen Organisation pflegen."
    assert _has_error(response, 3, "Träger", own_only), _errors(response)
    assert _has_error(response, 4, "Träger", own_only)
    assert not Offer.objects.filter(key="dk-a2-2026").exists()

    response = _upload(client, world, _xlsx(_table([_row()])))
    assert "Import abgeschlossen" in _page_text(response), _errors(response)


def test_import_link_only_for_coordination(world: World, coordination: Client) -> None:
    page = coordination.get(_url("offer_list", world)).content.decode()
    assert _url("offer_import", world) in page and "Angebote importieren" in page
    other = login(Client(), world.users["case_worker"]).get(_url("offer_list", world))
    assert _url("offer_import", world) not in other.content.decode()


# --------------------------------------------------------------------------- page and template


def test_import_page_has_file_field_and_template_link(world: World, coordination: Client) -> None:
    page = coordination.get(_url("offer_import", world)).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert _url("offer_import_template", world) in page
    assert "Datei (XLSX oder CSV)" in page and "Höchstens 5 MB." in page


def test_error_table_is_accessible(world: World, coordination: Client) -> None:
    response = _upload(coordination, world, _xlsx(_table([_row(Status="offen")])))
    page = response.content.decode()
    table = re.search(r'<table[^>]*id="import-errors".*?</table>', page, re.S)
    assert table is not None
    assert "<caption" in table.group(0) and "Fehler in der Datei" in table.group(0)
    assert table.group(0).count('scope="col"') == 3
    assert ">Zeile<" in table.group(0) and ">Spalte<" in table.group(0)


def test_template_download_has_headers_example_and_explanations(
    world: World, coordination: Client
) -> None:
    response = coordination.get(_url("offer_import_template", world))
    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    assert "angebote-vorlage.xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Angebote", "Erläuterungen"]
    sheet = wb["Angebote"]
    assert [c.value for c in sheet[1]] == HEADERS
    example = {h: c.value for h, c in zip(HEADERS, sheet[2], strict=True)}
    # the example row uses the tenant's first provider and Gemeinde, so it is valid as it is
    assert example["Träger"] == "Caritas Verl" and example["Status"] == "geplant"
    assert example["Gemeinde (AGS)"] == "05754004" and example["Stadt"] == "Borgholzhausen"
    assert sheet.max_row == 2
    explained = {row[0].value: row for row in wb["Erläuterungen"].iter_rows(min_row=2)}
    for column in COLUMNS:
        assert column.header in explained
        assert explained[column.header][1].value == ("ja" if column.required else "nein")
    assert explained["Beginn"][2].value == "Datum TT.MM.JJJJ"

    # the template with its example row imports as it is
    imported = _upload(coordination, world, response.content)
    assert "Import abgeschlossen" in _page_text(imported), _errors(imported)
    assert Offer.objects.filter(tenant=world.tenant).count() == 1


# --------------------------------------------------------------------------- query count


def _lookup_queries(queries: list[dict[str, Any]]) -> dict[str, int]:
    tables = [
        "offers_category",
        "offers_fundingsource",
        "offers_provider",
        "offers_rulesetrecord",
        "territory_territory",
    ]
    counts = dict.fromkeys(tables, 0)
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        match = re.search(r'FROM\s+"?(\w+)"?', sql)
        if match and match.group(1) in counts:
            counts[match.group(1)] += 1
    return counts


def test_lookups_are_prefetched_not_queried_per_row(world: World, coordination: Client) -> None:
    def run(n: int, prefix: str) -> tuple[dict[str, int], int]:
        rows = [_row(Angebotsnummer=f"{prefix}-{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            response = _upload(coordination, world, _xlsx(_table(rows)))
        assert "Import abgeschlossen" in _page_text(response), _errors(response)
        return _lookup_queries(ctx.captured_queries), len(ctx.captured_queries)

    run(1, "warm-up")  # from now on there are offers whose locations are loaded
    small, small_total = run(2, "a")
    large, large_total = run(12, "b")
    assert small == large, (small, large)
    assert all(count <= 2 for count in large.values()), large
    # offers, locations and times are inserted in bulk: per new offer only its audit event
    assert large_total - small_total == 10, (small_total, large_total)


def test_unchanged_reimport_costs_the_same_queries_for_any_number_of_rows(
    world: World, coordination: Client
) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    make_offer(world.tenant, provider, key="k-0")
    few = _exported(coordination, world, "xlsx")
    for i in range(1, 15):
        make_offer(world.tenant, provider, key=f"k-{i}")
    many = _exported(coordination, world, "xlsx")

    def count(content: bytes) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = _upload(coordination, world, content)
        assert "Import abgeschlossen" in _page_text(response), _errors(response)
        return len(ctx.captured_queries)

    assert count(few) == count(many)


def test_mass_update_costs_a_constant_number_of_queries_plus_audit(
    world: World, coordination: Client
) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    for i in range(14):
        make_offer(world.tenant, provider, key=f"k-{i}")

    def count(numbers: range) -> int:
        rows = [
            _row(Angebotsnummer=f"k-{i}", Träger="JMD Gütersloh", Zeiten="Fr 10:00-11:00")
            for i in numbers
        ]
        with CaptureQueriesContext(connection) as ctx:
            response = _upload(coordination, world, _xlsx(_table(rows)))
        assert "Import abgeschlossen" in _page_text(response), _errors(response)
        return len(ctx.captured_queries)

    # a first request refreshes the session's idle expiry (written at most once a minute)
    assert coordination.get(_url("offer_import", world)).status_code == 200
    few, many = count(range(2)), count(range(2, 14))
    # per changed offer only its audit event; the updates are one executemany
    assert many - few == 10, (few, many)
    assert AuditEvent.objects.filter(action="offer.update").count() == 14
    assert Offer.objects.get(key="k-11").version == 2
    assert OfferSchedule.objects.get(offer__key="k-11").weekday == 5


# --------------------------------------------------------------------------- concurrent changes


def test_offer_changed_during_import_aborts_everything(
    world: World, coordination: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    offer = make_offer(world.tenant, provider)
    original = services.offer_update_many

    def somebody_edits_first(**kwargs: Any) -> Any:
        Offer.objects.filter(pk=offer.pk).update(version=F("version") + 1)
        return original(**kwargs)

    monkeypatch.setattr(services, "offer_update_many", somebody_edits_first)
    table = _table(
        [
            _row(Angebotsnummer=offer.key, Träger="JMD Gütersloh", Titel="Geändert"),
            _row(Angebotsnummer="ganz-neu"),
        ]
    )
    response = _upload(coordination, world, _xlsx(table))
    text = _page_text(response)
    assert "Angebot sprachkurs-a1: Jemand anderes hat dieses Angebot inzwischen geändert." in text
    assert not Offer.objects.filter(key="ganz-neu").exists()  # the new offer is rolled back
    offer.refresh_from_db()
    assert offer.title != "Geändert"
    assert not AuditEvent.objects.filter(action__in=["offer.create", "offer.import"]).exists()


def test_offer_number_taken_during_import_aborts_everything(
    world: World, coordination: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = make_provider(world.tenant, "JMD Gütersloh", kind="jmd")
    original = services.offer_create_many

    def somebody_creates_first(**kwargs: Any) -> Any:
        make_offer(world.tenant, provider, key="dk-a2-2026")
        return original(**kwargs)

    monkeypatch.setattr(services, "offer_create_many", somebody_creates_first)
    response = _upload(coordination, world, _xlsx(_table([_row(), _row(Angebotsnummer="b")])))
    text = _page_text(response)
    assert "Angebot dk-a2-2026: Ein Angebot mit dieser Nummer gibt es bereits." in text
    assert not Offer.objects.filter(key="b").exists()
    assert not AuditEvent.objects.filter(action="offer.import").exists()


def test_update_many_is_denied_for_an_offer_of_another_tenant(world: World) -> None:
    mine = make_offer(world.tenant, make_provider(world.tenant, "JMD Gütersloh", kind="jmd"))
    theirs = make_offer(world.other_tenant, make_provider(world.other_tenant, "VHS Bielefeld"))
    with pytest.raises(PermissionDenied):
        services.offer_update_many(
            actor=world.users["coordination"],
            tenant=world.tenant,
            changes=[services.OfferChange(mine, {"title": "x"}), services.OfferChange(theirs, {})],
        )
    mine.refresh_from_db()
    assert mine.title != "x"

"""The documented column layout of the offer import/export template (docs/angebote-import.md).

One row per offer. Import and export use the same columns, so an exported file can be
edited and imported again: rows are matched by ``Angebotsnummer`` (the stable key).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str  # German column header in the file
    field: str  # internal name
    kind: str  # text, int, decimal, date, bool, choice, list, ref
    required: bool = False
    help: str = ""


COLUMNS: list[Column] = [
    Column(
        "Angebotsnummer", "key", "text", True, "stabiler Schlüssel: Buchstaben, Ziffern, - und _"
    ),
    Column("Titel", "title", "text", True),
    Column("Beschreibung", "description", "text"),
    Column("Titel (Einfache Sprache)", "title_plain", "text"),
    Column("Beschreibung (Einfache Sprache)", "description_plain", "text"),
    Column("Kategorie", "category", "ref", True, "Code oder Name der Kategorie, z. B. sprache"),
    Column(
        "Förderung", "funding", "ref", False, "Code: f1–f5, sgb2, sgb3, bamf, kommunal, sonstige"
    ),
    Column("Träger", "provider", "ref", True, "Name des Trägers (muss im Mandanten angelegt sein)"),
    Column("Status", "status", "choice", True, "geplant, aktiv, pausiert oder beendet"),
    Column("Beginn", "start_date", "date", False, "TT.MM.JJJJ"),
    Column("Ende", "end_date", "date", False, "TT.MM.JJJJ, nicht vor dem Beginn"),
    Column("Unterrichtsstunden", "teaching_hours", "int"),
    Column("Zeiten", "schedule", "text", False, "z. B. Mo 09:00-12:30; Mi 14:00-16:00"),
    Column("Hinweis zu Zeiten", "schedule_note", "text"),
    Column("Plätze", "capacity", "int", False, "leer = unbegrenzt"),
    Column("Belegte Plätze", "seats_taken", "int"),
    Column("Warteliste", "waiting_list", "int"),
    Column("Unterrichtssprachen", "languages", "list", False, "ISO-Codes, kommagetrennt: de, ar"),
    Column("Sprachniveau Voraussetzung", "language_level_required", "choice", False, "A0–C2"),
    Column("Sprachniveau Ziel", "language_level_target", "choice", False, "A0–C2"),
    Column("Mindestalter", "min_age", "int"),
    Column("Höchstalter", "max_age", "int"),
    Column("Kosten (EUR)", "cost", "decimal", False, "0 = kostenlos"),
    Column("Hinweis zu Kosten", "cost_note", "text"),
    Column("Fahrtkosten erstattet", "travel_costs_reimbursed", "bool", False, "ja/nein"),
    Column("Kinderbetreuungskosten erstattet", "childcare_reimbursed", "bool", False, "ja/nein"),
    Column("Nur für Frauen", "women_only", "bool", False, "ja/nein"),
    Column("Kinderbetreuung vor Ort", "childcare_on_site", "bool", False, "ja/nein"),
    Column("Barrierefrei (Rollstuhl)", "wheelchair_accessible", "bool", False, "ja/nein"),
    Column("Hinweis Barrierefreiheit", "accessibility_note", "text"),
    Column("Ansprechperson", "contact_name", "text"),
    Column("E-Mail", "contact_email", "text"),
    Column("Telefon", "contact_phone", "text"),
    Column("Teilnahmeregeln", "rule_set", "ref", False, "Code des Regelwerks, z. B. diaa.f2"),
    Column("Wer darf teilnehmen (Text)", "eligibility_note", "text"),
    Column("Ort", "location_name", "text"),
    Column("Straße", "street", "text"),
    Column("PLZ", "postcode", "text", False, "fünf Ziffern"),
    Column("Stadt", "city", "text"),
    Column("Gemeinde (AGS)", "gemeinde", "ref", False, "achtstelliger AGS oder Name der Gemeinde"),
]

HEADERS = [c.header for c in COLUMNS]
BY_HEADER = {c.header: c for c in COLUMNS}
WEEKDAY_CODES = {"mo": 1, "di": 2, "mi": 3, "do": 4, "fr": 5, "sa": 6, "so": 7}
WEEKDAY_NAMES = {v: k.capitalize() for k, v in WEEKDAY_CODES.items()}

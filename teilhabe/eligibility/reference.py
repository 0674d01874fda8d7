"""Reference data the rules refer to: the residence-status catalogue and the dated table of
safe countries of origin.  Both are editable data (JSON in ``data/``, copied into the
database by the Django side), never constants in code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ._util import (
    check_keys,
    iso_or_none,
    parse_iso_date,
    parse_optional_date,
    require_bool,
    require_mapping,
    require_str,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
RESIDENCE_STATUS_FILE = DATA_DIR / "residence_status_kinds.json"
SAFE_COUNTRIES_FILE = DATA_DIR / "safe_countries_of_origin.json"


# --- residence-status catalogue ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParagraphInfo:
    code: str
    name_de: str
    name_en: str


@dataclass(frozen=True, slots=True)
class StatusKindInfo:
    """One kind of residence status (``gestattung``, ``duldung`` …) with its paragraphs.

    ``unknown`` marks the placeholder kind whose facts count as missing.  A kind without
    paragraphs accepts no paragraph.
    """

    code: str
    name_de: str
    name_en: str
    unknown: bool = False
    paragraphs: tuple[ParagraphInfo, ...] = ()

    def paragraph(self, code: str) -> ParagraphInfo | None:
        for p in self.paragraphs:
            if p.code == code:
                return p
        return None

    def label(self, paragraph: str | None, lang: str) -> str:
        name = self.name_de if lang == "de" else self.name_en
        if paragraph is None:
            return name
        info = self.paragraph(paragraph)
        if info is None:
            return f"{name} {paragraph}"
        return f"{name} ({info.name_de if lang == 'de' else info.name_en})"


@dataclass(frozen=True)
class ResidenceStatusCatalogue:
    kinds: tuple[StatusKindInfo, ...]
    source: str = ""
    notes: tuple[str, ...] = ()
    name_de: str = "Katalog der Aufenthaltsstatus"
    name_en: str = "Catalogue of residence statuses"
    _by_code: dict[str, StatusKindInfo] = field(init=False, repr=False, compare=False)
    _labels: dict[tuple[str, str | None], tuple[str, str]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_labels", {})
        by_code: dict[str, StatusKindInfo] = {}
        for kind in self.kinds:
            if kind.code in by_code:
                raise ValueError(f"residence status kind {kind.code!r} is listed twice")
            by_code[kind.code] = kind
        object.__setattr__(self, "_by_code", by_code)

    def get(self, code: str) -> StatusKindInfo | None:
        return self._by_code.get(code)

    def label_pair(self, kind: str, paragraph: str | None) -> tuple[str, str]:
        """``(German, English)`` display name of a status, e.g. "Duldung (§ 60c AufenthG …)"."""
        key = (kind, paragraph)
        pair = self._labels.get(key)
        if pair is None:
            info = self._by_code.get(kind)
            if info is None:
                text = kind if paragraph is None else f"{kind} {paragraph}"
                pair = (text, text)
            else:
                pair = (info.label(paragraph, "de"), info.label(paragraph, "en"))
            self._labels[key] = pair
        return pair

    def codes(self) -> list[str]:
        return [k.code for k in self.kinds]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": "residence_status_kinds",
            "name_de": self.name_de,
            "name_en": self.name_en,
            "source": self.source,
            "notes": list(self.notes),
            "kinds": [
                {
                    "code": k.code,
                    "name_de": k.name_de,
                    "name_en": k.name_en,
                    "unknown": k.unknown,
                    "paragraphs": [
                        {"code": p.code, "name_de": p.name_de, "name_en": p.name_en}
                        for p in k.paragraphs
                    ],
                }
                for k in self.kinds
            ],
        }


def residence_status_catalogue_from_dict(data: Mapping[str, Any]) -> ResidenceStatusCatalogue:
    """Build the catalogue from its JSON form; raise ``ValueError`` on bad data."""
    data = require_mapping(data, "catalogue")
    check_keys(
        data,
        "catalogue",
        required={"kinds"},
        optional={"code", "name_de", "name_en", "source", "notes"},
    )
    raw_kinds = data["kinds"]
    if not isinstance(raw_kinds, list) or not raw_kinds:
        raise ValueError("catalogue.kinds: expected a non-empty list")
    kinds = []
    for i, raw in enumerate(raw_kinds):
        where = f"catalogue.kinds[{i}]"
        raw = require_mapping(raw, where)
        check_keys(
            raw,
            where,
            required={"code", "name_de", "name_en"},
            optional={"unknown", "paragraphs"},
        )
        paragraphs = []
        raw_pars = raw.get("paragraphs", [])
        if not isinstance(raw_pars, list):
            raise ValueError(f"{where}.paragraphs: expected a list")
        for j, rp in enumerate(raw_pars):
            pw = f"{where}.paragraphs[{j}]"
            rp = require_mapping(rp, pw)
            check_keys(rp, pw, required={"code", "name_de", "name_en"}, optional=set())
            paragraphs.append(
                ParagraphInfo(
                    require_str(rp["code"], f"{pw}.code"),
                    require_str(rp["name_de"], f"{pw}.name_de"),
                    require_str(rp["name_en"], f"{pw}.name_en"),
                )
            )
        if len({p.code for p in paragraphs}) != len(paragraphs):
            raise ValueError(f"{where}.paragraphs: duplicate paragraph code")
        kinds.append(
            StatusKindInfo(
                code=require_str(raw["code"], f"{where}.code"),
                name_de=require_str(raw["name_de"], f"{where}.name_de"),
                name_en=require_str(raw["name_en"], f"{where}.name_en"),
                unknown=require_bool(raw.get("unknown", False), f"{where}.unknown"),
                paragraphs=tuple(paragraphs),
            )
        )
    return ResidenceStatusCatalogue(
        kinds=tuple(kinds),
        source=str(data.get("source", "")),
        notes=tuple(str(n) for n in data.get("notes", [])),
        name_de=str(data.get("name_de", "Katalog der Aufenthaltsstatus")),
        name_en=str(data.get("name_en", "Catalogue of residence statuses")),
    )


# --- safe countries of origin ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkBanException:
    """Transitional exception from the safe-country employment ban (e.g. § 104 Abs. 18
    AufenthG: Georgia and Moldova, first asylum request on or before 30.08.2023)."""

    asylum_request_until: date
    source: str = ""


@dataclass(frozen=True, slots=True)
class SafeCountryEntry:
    country: str
    safe_from: date
    safe_until: date | None = None
    name_de: str = ""
    verified: bool = False
    work_ban_exception: WorkBanException | None = None
    source: str = ""

    def covers(self, on: date) -> bool:
        return self.safe_from <= on and (self.safe_until is None or on <= self.safe_until)


def _exception_dict(exc: WorkBanException | None) -> dict[str, str] | None:
    if exc is None:
        return None
    return {"asylum_request_until": exc.asylum_request_until.isoformat(), "source": exc.source}


@dataclass(frozen=True)
class SafeCountryTable:
    entries: tuple[SafeCountryEntry, ...]
    source: str = ""
    notes: tuple[str, ...] = ()
    name_de: str = "Sichere Herkunftsstaaten (Anlage II zu § 29a AsylG)"
    name_en: str = "Safe countries of origin (Annex II to § 29a AsylG)"
    _by_country: dict[str, tuple[SafeCountryEntry, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        grouped: dict[str, list[SafeCountryEntry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.country, []).append(entry)
        object.__setattr__(self, "_by_country", {k: tuple(v) for k, v in grouped.items()})

    def entry_on(self, country: str, on: date) -> SafeCountryEntry | None:
        """The table row that makes ``country`` a safe country of origin on ``on``, if any."""
        for entry in self._by_country.get(country, ()):
            if entry.covers(on):
                return entry
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": "safe_countries_of_origin",
            "name_de": self.name_de,
            "name_en": self.name_en,
            "source": self.source,
            "notes": list(self.notes),
            "entries": [
                {
                    "country": e.country,
                    "name_de": e.name_de,
                    "safe_from": e.safe_from.isoformat(),
                    "safe_until": iso_or_none(e.safe_until),
                    "verified": e.verified,
                    "work_ban_exception": _exception_dict(e.work_ban_exception),
                    "source": e.source,
                }
                for e in self.entries
            ],
        }


def safe_country_table_from_dict(data: Mapping[str, Any]) -> SafeCountryTable:
    """Build the safe-country table from its JSON form; raise ``ValueError`` on bad data."""
    data = require_mapping(data, "safe_countries")
    check_keys(
        data,
        "safe_countries",
        required={"entries"},
        optional={"code", "name_de", "name_en", "source", "notes"},
    )
    raw_entries = data["entries"]
    if not isinstance(raw_entries, list):
        raise ValueError("safe_countries.entries: expected a list")
    entries = []
    for i, raw in enumerate(raw_entries):
        where = f"safe_countries.entries[{i}]"
        raw = require_mapping(raw, where)
        check_keys(
            raw,
            where,
            required={"country", "safe_from"},
            optional={"name_de", "safe_until", "verified", "work_ban_exception", "source"},
        )
        country = require_str(raw["country"], f"{where}.country")
        if len(country) != 2 or not country.isascii() or not country.isupper():
            raise ValueError(f"{where}.country: expected ISO 3166 alpha-2, got {country!r}")
        try:
            safe_from = parse_iso_date(raw["safe_from"])
            safe_until = parse_optional_date(raw.get("safe_until"))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if safe_until is not None and safe_until < safe_from:
            raise ValueError(f"{where}: safe_until is before safe_from")
        exception = None
        raw_exc = raw.get("work_ban_exception")
        if raw_exc is not None:
            ew = f"{where}.work_ban_exception"
            raw_exc = require_mapping(raw_exc, ew)
            check_keys(raw_exc, ew, required={"asylum_request_until"}, optional={"source"})
            try:
                until = parse_iso_date(raw_exc["asylum_request_until"])
            except ValueError as exc:
                raise ValueError(f"{ew}.asylum_request_until: {exc}") from None
            exception = WorkBanException(until, str(raw_exc.get("source", "")))
        entries.append(
            SafeCountryEntry(
                country=country,
                safe_from=safe_from,
                safe_until=safe_until,
                name_de=str(raw.get("name_de", "")),
                verified=require_bool(raw.get("verified", False), f"{where}.verified"),
                work_ban_exception=exception,
                source=str(raw.get("source", "")),
            )
        )
    return SafeCountryTable(
        entries=tuple(entries),
        source=str(data.get("source", "")),
        notes=tuple(str(n) for n in data.get("notes", [])),
        name_de=str(data.get("name_de", "Sichere Herkunftsstaaten (Anlage II zu § 29a AsylG)")),
        name_en=str(data.get("name_en", "Safe countries of origin (Annex II to § 29a AsylG)")),
    )


# --- bundle ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceData:
    """Everything the criteria look up besides the person's facts and the rule parameters."""

    residence_statuses: ResidenceStatusCatalogue
    safe_countries: SafeCountryTable


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def load_residence_status_catalogue() -> ResidenceStatusCatalogue:
    """The shipped catalogue (``data/residence_status_kinds.json``), read once."""
    return residence_status_catalogue_from_dict(_read_json(RESIDENCE_STATUS_FILE))


@cache
def load_safe_country_table() -> SafeCountryTable:
    """The shipped table (``data/safe_countries_of_origin.json``), read once."""
    return safe_country_table_from_dict(_read_json(SAFE_COUNTRIES_FILE))


@cache
def load_reference_data() -> ReferenceData:
    """The shipped reference data, read once and shared (it is immutable)."""
    return ReferenceData(load_residence_status_catalogue(), load_safe_country_table())


def reference_data_from_dict(
    *, residence_statuses: Mapping[str, Any], safe_countries: Mapping[str, Any]
) -> ReferenceData:
    """Reference data from JSON-shaped dicts (e.g. the database copies edited by admins)."""
    return ReferenceData(
        residence_status_catalogue_from_dict(residence_statuses),
        safe_country_table_from_dict(safe_countries),
    )

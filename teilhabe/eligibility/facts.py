"""The facts about one person that the rules look at.

Every fact is optional: ``None`` means "not recorded", and a criterion that needs a missing
fact reports ``unknown`` (never ``passed``).  ``Facts.from_dict`` parses the JSON form used by
the CLI and the Django side and raises :class:`FactsError` naming the offending field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from ._util import iso_or_none, parse_iso_date
from .reference import ResidenceStatusCatalogue, load_residence_status_catalogue

SEXES = ("female", "male", "diverse")
ASYLUM_DECISIONS = ("pending", "rejected", "withdrawn", "recognised")
BENEFITS = ("asylblg", "sgb2", "sgb12", "none")
WORK_PERMISSIONS = ("permitted", "needs_approval", "banned")
#: CEFR levels in ascending order; "A0" = no German yet.
GERMAN_LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
GERMAN_LEVEL_RANK = {level: i for i, level in enumerate(GERMAN_LEVELS)}

_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sex", SEXES),
    ("asylum_decision", ASYLUM_DECISIONS),
    ("benefits", BENEFITS),
    ("work_permission", WORK_PERMISSIONS),
    ("german_level", GERMAN_LEVELS),
)
_DATE_FIELDS = ("birth_date", "entry_date", "first_asylum_request")
_BOOL_FIELDS = ("integration_course_access", "lives_in_state_facility", "security_exclusion")
_AGS = re.compile(r"\d{8}")
_COUNTRY = re.compile(r"[A-Z]{2}")


class FactsError(ValueError):
    """A person record cannot be read.  ``field`` names the offending field (dotted path),
    ``message`` says what is wrong in German, ``message_en`` in English."""

    def __init__(self, field: str, message: str, message_en: str | None = None) -> None:
        self.field = field
        self.message = message
        self.message_en = message_en if message_en is not None else message
        super().__init__(f"{field}: {message}")

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message_de": self.message, "message_en": self.message_en}


def _date_field(data: Mapping[str, Any], key: str, prefix: str = "") -> date | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        raise FactsError(
            prefix + key,
            f"ungültiges Datum {value!r}, erwartet JJJJ-MM-TT",
            f"invalid date {value!r}, expected YYYY-MM-DD",
        ) from None


def _choice_field(data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(choices)
        raise FactsError(
            key,
            f"unbekannter Wert {value!r}, erlaubt: {allowed}",
            f"unknown value {value!r}, allowed: {allowed}",
        )
    return value


def _bool_field(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise FactsError(
        key,
        f"erwartet true, false oder null, nicht {value!r}",
        f"expected true, false or null, got {value!r}",
    )


def _text_field(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FactsError(key, f"erwartet Text, nicht {value!r}", f"expected text, got {value!r}")
    value = value.strip()
    return value or None  # a blank justification is no justification


@dataclass(frozen=True, slots=True)
class ResidenceStatus:
    """The current residence status: kind code, paragraph code and validity."""

    kind: str
    paragraph: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any] | str,
        *,
        catalogue: ResidenceStatusCatalogue | None = None,
        field: str = "residence_status",
    ) -> ResidenceStatus:
        """Parse ``{"kind", "paragraph", "since", "until"}`` (or just the kind as a string)
        and check kind and paragraph against the catalogue."""
        if isinstance(data, str):
            data = {"kind": data}
        if not isinstance(data, Mapping):
            raise FactsError(
                field,
                "erwartet ein Objekt mit kind, paragraph, since, until",
                "expected an object with kind, paragraph, since, until",
            )
        unknown = sorted(set(data) - {"kind", "paragraph", "since", "until"})
        if unknown:
            raise FactsError(f"{field}.{unknown[0]}", "unbekanntes Feld", "unknown field")
        cat = catalogue if catalogue is not None else load_residence_status_catalogue()
        kind = data.get("kind")
        info = cat.get(kind) if isinstance(kind, str) else None
        if info is None:
            allowed = ", ".join(cat.codes())
            raise FactsError(
                f"{field}.kind",
                f"unbekannte Statusart {kind!r}, erlaubt: {allowed}",
                f"unknown status kind {kind!r}, allowed: {allowed}",
            )
        paragraph = data.get("paragraph")
        if paragraph is not None and (
            not isinstance(paragraph, str) or info.paragraph(paragraph) is None
        ):
            allowed = ", ".join(p.code for p in info.paragraphs) or "–"
            raise FactsError(
                f"{field}.paragraph",
                f"unbekannter Paragraf {paragraph!r} für {info.code}, erlaubt: {allowed}",
                f"unknown paragraph {paragraph!r} for {info.code}, allowed: {allowed}",
            )
        since = _date_field(data, "since", f"{field}.")
        until = _date_field(data, "until", f"{field}.")
        if since is not None and until is not None and until < since:
            raise FactsError(
                f"{field}.until",
                "Ende der Gültigkeit liegt vor dem Beginn",
                "validity ends before it starts",
            )
        return cls(kind=info.code, paragraph=paragraph, since=since, until=until)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "paragraph": self.paragraph,
            "since": iso_or_none(self.since),
            "until": iso_or_none(self.until),
        }


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about one person.  ``None`` = not recorded.

    ``age_exception_reason`` records the justification of an age exception (begründeter
    Einzelfall, DOMAIN 4.3 R2); ``support_need_reason`` records an individual support need
    for people outside the priority group of DOMAIN 4.3 R1 ("insbesondere").
    """

    birth_date: date | None = None
    sex: str | None = None
    nationality: str | None = None
    residence_status: ResidenceStatus | None = None
    entry_date: date | None = None
    first_asylum_request: date | None = None
    asylum_decision: str | None = None
    benefits: str | None = None
    work_permission: str | None = None
    integration_course_access: bool | None = None
    lives_in_state_facility: bool | None = None
    security_exclusion: bool | None = None
    age_exception_reason: str | None = None
    support_need_reason: str | None = None
    municipality_ags: str | None = None
    german_level: str | None = None

    def __post_init__(self) -> None:
        """Check values also when built directly (``Facts(benefits="sgb2")``)."""
        for name, choices in _CHOICES:
            value = getattr(self, name)
            if value is not None and value not in choices:
                raise FactsError(
                    name,
                    f"unbekannter Wert {value!r}, erlaubt: {', '.join(choices)}",
                    f"unknown value {value!r}, allowed: {', '.join(choices)}",
                )
        for name in _DATE_FIELDS:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                raise FactsError(name, "erwartet ein Datum", "expected a date")
        for name in _BOOL_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise FactsError(name, "erwartet true oder false", "expected true or false")
        if self.residence_status is not None and not isinstance(
            self.residence_status, ResidenceStatus
        ):
            raise FactsError("residence_status", "erwartet ResidenceStatus", "expected a status")

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        catalogue: ResidenceStatusCatalogue | None = None,
        strict: bool = True,
    ) -> Facts:
        """Parse a person record.  With ``strict`` (the default) unknown keys are an error,
        so that a typo never silently turns into a missing fact."""
        if not isinstance(data, Mapping):
            raise FactsError("person", "erwartet ein Objekt", "expected an object")
        if strict:
            unknown = sorted(set(data) - set(cls.field_names()))
            if unknown:
                raise FactsError(unknown[0], "unbekanntes Feld", "unknown field")

        nationality = data.get("nationality")
        if nationality is not None and (
            not isinstance(nationality, str) or not _COUNTRY.fullmatch(nationality.upper())
        ):
            raise FactsError(
                "nationality",
                f"erwartet ISO-3166-Ländercode mit zwei Buchstaben, nicht {nationality!r}",
                f"expected a two-letter ISO 3166 country code, got {nationality!r}",
            )
        ags = data.get("municipality_ags")
        if ags is not None and (not isinstance(ags, str) or not _AGS.fullmatch(ags)):
            raise FactsError(
                "municipality_ags",
                f"erwartet einen achtstelligen Gemeindeschlüssel (AGS), nicht {ags!r}",
                f"expected an 8-digit municipality key (AGS), got {ags!r}",
            )
        raw_status = data.get("residence_status")
        status = (
            None
            if raw_status is None
            else ResidenceStatus.from_dict(raw_status, catalogue=catalogue)
        )
        return cls(
            birth_date=_date_field(data, "birth_date"),
            sex=_choice_field(data, "sex", SEXES),
            nationality=None if nationality is None else nationality.upper(),
            residence_status=status,
            entry_date=_date_field(data, "entry_date"),
            first_asylum_request=_date_field(data, "first_asylum_request"),
            asylum_decision=_choice_field(data, "asylum_decision", ASYLUM_DECISIONS),
            benefits=_choice_field(data, "benefits", BENEFITS),
            work_permission=_choice_field(data, "work_permission", WORK_PERMISSIONS),
            integration_course_access=_bool_field(data, "integration_course_access"),
            lives_in_state_facility=_bool_field(data, "lives_in_state_facility"),
            security_exclusion=_bool_field(data, "security_exclusion"),
            age_exception_reason=_text_field(data, "age_exception_reason"),
            support_need_reason=_text_field(data, "support_need_reason"),
            municipality_ags=ags,
            german_level=_choice_field(data, "german_level", GERMAN_LEVELS),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form; ``Facts.from_dict(f.to_dict()) == f``."""
        return {
            "birth_date": iso_or_none(self.birth_date),
            "sex": self.sex,
            "nationality": self.nationality,
            "residence_status": None
            if self.residence_status is None
            else self.residence_status.to_dict(),
            "entry_date": iso_or_none(self.entry_date),
            "first_asylum_request": iso_or_none(self.first_asylum_request),
            "asylum_decision": self.asylum_decision,
            "benefits": self.benefits,
            "work_permission": self.work_permission,
            "integration_course_access": self.integration_course_access,
            "lives_in_state_facility": self.lives_in_state_facility,
            "security_exclusion": self.security_exclusion,
            "age_exception_reason": self.age_exception_reason,
            "support_need_reason": self.support_need_reason,
            "municipality_ags": self.municipality_ags,
            "german_level": self.german_level,
        }

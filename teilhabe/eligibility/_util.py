"""Small helpers shared by the eligibility modules: dates and JSON-shaped input checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(value: object) -> date:
    """Parse ``YYYY-MM-DD`` strictly (or accept a ``date``); raise ``ValueError`` otherwise.

    ``date.fromisoformat`` in Python 3.11 also accepts week dates and compact forms; the
    rule data and the person records use the plain calendar form only.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")
    return date.fromisoformat(value)


def parse_optional_date(value: object) -> date | None:
    return None if value is None else parse_iso_date(value)


def iso_or_none(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def format_date(value: date) -> str:
    """German date format DD.MM.YYYY (used in German and English messages)."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def anniversary(birth: date, years: int) -> date:
    """The day on which somebody born on ``birth`` turns ``years`` old.

    A person born on 29 February completes a year of life at the end of 28 February in a
    common year (§ 187 Abs. 2, § 188 Abs. 2 and 3 BGB), so the new age starts on 1 March.
    """
    year = birth.year + years
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


def age_on(birth: date, on: date) -> int:
    """Completed years of life on ``on`` (consistent with :func:`anniversary`)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def require_mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def require_str(value: object, where: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def require_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: expected true or false, got {value!r}")
    return value


def require_str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where}: expected a list of non-empty strings, got {value!r}")
    return list(value)


def check_keys(
    data: Mapping[str, Any], where: str, *, required: set[str], optional: set[str]
) -> None:
    missing = sorted(required - data.keys())
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}")
    unknown = sorted(data.keys() - required - optional)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")

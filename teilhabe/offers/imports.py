"""Offer import from XLSX or CSV in the documented template layout (docs/angebote-import.md).

Three steps:

1. ``read_table`` turns the uploaded bytes into numbered rows of raw cells.  The file type is
   decided by the content, never by the file name: an XLSX file is a zip archive that
   openpyxl can open, a CSV file is UTF-8 text; anything else is refused.
2. ``_Planner`` checks every cell of every row against the column spec in ``columns.py``
   (the same spec the export uses, so an exported file imports unchanged).  Categories,
   funding sources, providers, rule sets, Gemeinden and the tenant's existing offers are
   loaded once into dicts, so checking a row costs no query.  All errors are collected as
   (row, column, message).
3. Only when no row has an error are the offers written, in one transaction, through
   ``services.offer_create_many`` and ``services.offer_update_many`` (the rules and audit
   events of ``offer_create``/``offer_update`` with a constant number of queries, so that
   5,000 rows take seconds, not minutes).  Rows whose offer would not change are not
   written at all.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record
from teilhabe.core.errors import DomainError
from teilhabe.core.exports import FORMULA_PREFIXES
from teilhabe.territory.models import Territory, gemeinden_in

from . import services
from .columns import COLUMNS, HEADERS, WEEKDAY_CODES, Column
from .models import (
    CEFR_LEVELS,
    LANGUAGE_CHOICES,
    Category,
    FundingSource,
    Offer,
    OfferLocation,
    OfferSchedule,
    OfferStatus,
    Provider,
    RuleSetRecord,
)

DEFAULT_MAX_BYTES = 5_000_000
DEFAULT_MAX_ROWS = 10_000
MAX_COLUMNS = 200  # cells further right are not read at all
# XLSX is zipped XML (typically 5–15 times smaller); more than this is a "zip bomb"
MAX_UNPACKED_FACTOR = 40
MAX_SCHEDULES = 28
SHEET_NAME = "Angebote"
HELP_SHEET_NAME = "Erläuterungen"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}
LOCATION_FIELDS = ("location_name", "street", "postcode", "city", "gemeinde")
# offer field -> upper bound of the integer columns (database limits and plausibility)
INT_LIMITS = {
    "teaching_hours": 100_000,
    "capacity": 100_000,
    "seats_taken": 100_000,
    "waiting_list": 100_000,
    "min_age": 120,
    "max_age": 120,
}
# integer columns that are not nullable: an empty cell means 0
INT_ZERO_WHEN_EMPTY = {"seats_taken", "waiting_list"}
FK_FIELDS = {"category", "funding", "provider", "rule_set"}
CROSS_FIELDS = ("start_date", "end_date", "capacity", "seats_taken", "min_age", "max_age")
LANGUAGE_CODES = [code for code, _label in LANGUAGE_CHOICES]
STATUS_VALUES = [value for value, _label in OfferStatus.choices]

TRUE_WORDS = {"ja", "j", "x", "wahr", "true", "yes", "1"}
FALSE_WORDS = {"nein", "n", "falsch", "false", "no", "0", ""}
DAY_NAMES = dict(WEEKDAY_CODES) | {
    "montag": 1,
    "dienstag": 2,
    "mittwoch": 3,
    "donnerstag": 4,
    "freitag": 5,
    "samstag": 6,
    "sonnabend": 6,
    "sonntag": 7,
}

ZIP_MAGIC = b"PK\x03\x04"
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0", b"PK")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DE_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
KEY_RE = re.compile(r"[-a-zA-Z0-9_]+")
INT_RE = re.compile(r"[+-]?\d+")
DECIMAL_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")
THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")
SCHEDULE_ENTRY = re.compile(
    r"(?P<days>[^\d]+?)\s*(?P<start>\d{1,2}[:.]\d{2})\s*(?:-|–|—|bis)\s*"
    r"(?P<end>\d{1,2}[:.]\d{2})(?:\s*uhr)?",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row (None: the file as a whole), column header, message."""

    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.row is not None]


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, size, encoding, content)."""


class _CellError(Exception):
    """A cell's value is not acceptable; the message is user-facing."""


# --------------------------------------------------------------------------- settings


def max_bytes() -> int:
    return int(getattr(settings, "TEILHABE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "TEILHABE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def _megabytes(size: int) -> str:
    return str(number_format(size / 1_000_000, decimal_pos=1))


def max_megabytes() -> str:
    """The size limit for the UI: ``5`` or ``2,5`` (MB, German decimal comma)."""
    limit = max_bytes()
    if limit % 1_000_000 == 0:
        return str(limit // 1_000_000)
    return _megabytes(limit)


def _too_large(size: int) -> str:
    return _(
        "The file is too large (%(size)s MB). At most %(limit)s MB can be imported at once; "
        "please split the file."
    ) % {"size": _megabytes(size), "limit": max_megabytes()}


def _not_a_table() -> str:
    return _("The file is neither an XLSX nor a CSV file.")


# --------------------------------------------------------------------------- reading


@dataclass
class Table:
    kind: str  # "xlsx" or "csv"
    rows: list[tuple[int, list[Any]]]  # (row number in the spreadsheet, cells); blank rows left out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _keep(rows: list[tuple[int, list[Any]]], number: int, cells: list[Any], limit: int) -> None:
    """Keep a row that is not blank; refuse files with more than ``limit`` offer rows."""
    if any(not _blank(c) for c in cells):
        rows.append((number, cells))
        if len(rows) > limit + 1:
            raise ImportFileError(
                _("The file has more than %(max)s rows; please split it.")
                % {"max": number_format(limit, force_grouping=True)}
            )


def _check_unpacked_size(data: bytes) -> None:
    """Refuse archives that unpack to far more than a spreadsheet of this size can hold."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFileError(_not_a_table()) from exc
    if unpacked > MAX_UNPACKED_FACTOR * max(max_bytes(), 1_000_000):
        raise ImportFileError(_("The file is too large when unpacked; please split it."))


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    rows: list[tuple[int, list[Any]]] = []
    limit = max_rows()
    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any failure here means: not a workbook openpyxl can read
        raise ImportFileError(_not_a_table()) from exc
    try:
        sheet = (
            workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        )
        for number, values in enumerate(
            sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
        ):
            _keep(rows, number, list(values), limit)
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise ImportFileError(_not_a_table()) from exc
    finally:
        workbook.close()
    return rows


def _decode_text(data: bytes) -> str:
    if data.startswith(BINARY_MAGIC):
        raise ImportFileError(_not_a_table())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        legacy = data[:4000].decode("cp1252", errors="replace")
        if "Angebotsnummer" in legacy and CONTROL_CHARS.search(legacy) is None:
            raise ImportFileError(
                _(
                    "The CSV file is not saved as UTF-8. In Excel choose "
                    "“CSV UTF-8 (comma delimited)” when saving, or use XLSX."
                )
            ) from None
        raise ImportFileError(_not_a_table()) from None
    if CONTROL_CHARS.search(text):
        raise ImportFileError(_not_a_table())
    return text


def _csv_rows(text: str) -> list[tuple[int, list[Any]]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows: list[tuple[int, list[Any]]] = []
    limit = max_rows()
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            _keep(rows, number, list(cells[:MAX_COLUMNS]), limit)
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return rows


def read_table(data: bytes) -> Table:
    """The rows of an uploaded XLSX or CSV file; raises ``ImportFileError``."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        return Table("xlsx", _xlsx_rows(data))
    return Table("csv", _csv_rows(_decode_text(data)))


# --------------------------------------------------------------------------- cell values


def _norm(value: str) -> str:
    """Comparison form of names: single spaces, case-insensitive."""
    return " ".join(value.split()).casefold()


def _unquote(text: str) -> str:
    """Undo the export's formula neutralisation: ``'=A1`` is read back as ``=A1``."""
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y") if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = _unquote(str(value).strip()).strip()
    return text.replace("\r\n", "\n")


def _limited(text: str, max_length: int | None) -> str:
    if max_length is not None and len(text) > max_length:
        raise _CellError(
            _("The text is too long (%(length)s characters; at most %(max)s).")
            % {"length": len(text), "max": max_length}
        )
    return text


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    m = DE_DATE.fullmatch(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = ISO_DATE.fullmatch(text)
        if not m:
            raise _CellError(_("This is not a date; please write DD.MM.YYYY, e.g. 01.09.2026."))
        year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise _CellError(
            _("The date %(value)s does not exist.") % {"value": f"{day:02d}.{month:02d}.{year}"}
        ) from None


def parse_int(value: Any, maximum: int) -> int | None:
    if isinstance(value, bool):
        raise _CellError(_("Please enter a whole number (0 or more)."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise _CellError(_("Please enter a whole number (0 or more)."))
        number = int(value)
    else:
        text = re.sub(r"\s", "", _text(value))
        if not text:
            return None
        if not INT_RE.fullmatch(text):
            raise _CellError(_("Please enter a whole number (0 or more)."))
        number = int(text)
    if number < 0:
        raise _CellError(_("The number cannot be negative."))
    if number > maximum:
        raise _CellError(_("The number is too large (at most %(max)s).") % {"max": maximum})
    return number


def parse_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        raise _CellError(_("Please enter an amount such as 12,50."))
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"\s|€|(?i:eur)", "", _text(value))
        if not text:
            return None
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif THOUSANDS_RE.fullmatch(text):
            text = text.replace(".", "")
        if not DECIMAL_RE.fullmatch(text):
            raise _CellError(_("Please enter an amount such as 12,50."))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise _CellError(_("Please enter an amount such as 12,50.")) from None
    if not amount.is_finite():
        raise _CellError(_("Please enter an amount such as 12,50."))
    if amount < 0:
        raise _CellError(_("The amount cannot be negative."))
    if amount != amount.quantize(Decimal("0.01")):
        raise _CellError(_("At most two decimal places, please."))
    if amount >= Decimal("1000000"):
        raise _CellError(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = _text(value).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _CellError(_("Please write “ja” or “nein” (“x” means yes, empty means no)."))


def _day(name: str) -> int:
    day = DAY_NAMES.get(name.strip().rstrip(".").casefold())
    if day is None:
        raise _CellError(
            _("“%(value)s” is not a weekday; use Mo, Di, Mi, Do, Fr, Sa or So.") % {"value": name}
        )
    return day


def _days(text: str) -> list[int]:
    result: list[int] = []
    for part in re.split(r"\s*(?:,|/|\+|\bund\b)\s*", text.strip(), flags=re.IGNORECASE):
        if not part:
            continue
        bounds = re.split(r"\s*(?:-|–|—|\bbis\b)\s*", part, flags=re.IGNORECASE)
        if len(bounds) == 1:
            result.append(_day(bounds[0]))
        elif len(bounds) == 2 and all(bounds):
            first, last = _day(bounds[0]), _day(bounds[1])
            if last < first:
                raise _CellError(
                    _("“%(value)s” is not a range of weekdays.") % {"value": part.strip()}
                )
            result.extend(range(first, last + 1))
        else:
            raise _CellError(_("“%(value)s” is not a weekday.") % {"value": part.strip()})
    return result


def _clock(text: str) -> time:
    hours, minutes = (int(x) for x in re.split(r"[:.]", text))
    if hours > 23 or minutes > 59:
        raise _CellError(_("“%(value)s” is not a time of day.") % {"value": text})
    return time(hours, minutes)


def parse_schedule(value: Any) -> list[dict[str, Any]]:
    """``Mo 09:00-12:30; Mi 14:00-16:00`` (also ``Mo-Fr 9.00-12.00``, ``Di, Do …``)."""
    slots: set[tuple[int, time, time]] = set()
    for entry in re.split(r"[;\n]+", _text(value)):
        entry = entry.strip()
        if not entry:
            continue
        m = SCHEDULE_ENTRY.fullmatch(entry)
        if not m:
            raise _CellError(
                _(
                    "“%(value)s” cannot be read; please write the times like "
                    "Mo 09:00-12:30; Mi 14:00-16:00."
                )
                % {"value": entry}
            )
        opens, closes = _clock(m["start"]), _clock(m["end"])
        if closes <= opens:
            raise _CellError(_("In “%(value)s” the end lies before the start.") % {"value": entry})
        for day in _days(m["days"]):
            slots.add((day, opens, closes))
    if len(slots) > MAX_SCHEDULES:
        raise _CellError(_("At most %(max)s weekly times per offer.") % {"max": MAX_SCHEDULES})
    return [{"weekday": d, "opens_at": o, "closes_at": c} for d, o, c in sorted(slots)]


def parse_languages(value: Any) -> list[str]:
    result: list[str] = []
    for code in re.split(r"[,;/\s]+", _text(value).casefold()):
        if not code:
            continue
        if code not in LANGUAGE_CODES:
            raise _CellError(
                _("Unknown language code “%(value)s”; allowed are %(allowed)s.")
                % {"value": code, "allowed": ", ".join(LANGUAGE_CODES)}
            )
        if code not in result:
            result.append(code)
    return result


def _ags(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{int(value):08d}"
    text = _text(value)
    return text.zfill(8) if text.isdigit() and len(text) == 7 else text


def _postcode(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{int(value):05d}"
    else:
        text = _text(value)
    if text and not re.fullmatch(r"\d{5}", text):
        raise _CellError(_("The postcode has five digits."))
    return text


# --------------------------------------------------------------------------- planning


@dataclass
class _Planned:
    row: int
    key: str
    existing: Offer | None
    data: dict[str, Any]  # offer fields to write (on an update: only the changed ones)
    locations: list[dict[str, Any]] | None  # None: leave the offer's locations alone
    schedules: list[dict[str, Any]] | None  # None: leave the weekly times alone

    @property
    def changes(self) -> bool:
        return bool(self.data) or self.locations is not None or self.schedules is not None


def _max_length(name: str) -> int | None:
    """The database limit of a text column (location columns live on ``OfferLocation``)."""
    if name in LOCATION_FIELDS:
        model_field = OfferLocation._meta.get_field("name" if name == "location_name" else name)
    else:
        model_field = Offer._meta.get_field(name)
    return getattr(model_field, "max_length", None)


def _canon(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def _differs(offer: Offer, name: str, value: Any) -> bool:
    if name in FK_FIELDS:
        return bool(getattr(offer, f"{name}_id") != (value.pk if value is not None else None))
    return bool(_canon(getattr(offer, name)) != _canon(value))


class _Planner:
    """Checks all rows with every lookup prefetched; collects errors and planned writes."""

    def __init__(self, *, actor: Any, tenant: Tenant) -> None:
        self.actor = actor
        self.tenant = tenant
        self.errors: list[RowError] = []
        self.categories: dict[str, Category] = {}
        for category in Category.objects.all():
            self.categories.setdefault(_norm(category.name), category)
            self.categories[category.code.casefold()] = category
        self.funding: dict[str, FundingSource] = {}
        for source in FundingSource.objects.all():
            self.funding.setdefault(_norm(source.name), source)
            self.funding[source.code.casefold()] = source
        self.providers: dict[str, Provider] = {}
        for provider in Provider.objects.filter(tenant=tenant):
            provider.tenant = tenant  # the policy reads it; spares a query per provider
            self.providers[_norm(provider.name)] = provider
        self.rule_sets: dict[str, RuleSetRecord] = {}
        for rule_set in RuleSetRecord.objects.filter(Q(tenant__isnull=True) | Q(tenant=tenant)):
            # a tenant's own rule set wins over a programme rule set with the same code
            if rule_set.tenant_id is not None or rule_set.code.casefold() not in self.rule_sets:
                self.rule_sets[rule_set.code.casefold()] = rule_set
        self.gemeinden: dict[str, Territory | None] = {}
        by_name: dict[str, Territory | None] = {}
        for gemeinde in gemeinden_in(tenant.territory):
            self.gemeinden[gemeinde.ags] = gemeinde
            names = {_norm(gemeinde.name), _norm(re.sub(r"^Stadt\s+", "", gemeinde.name))}
            for name in names:
                # None marks a name that two Gemeinden share: the AGS is needed then
                by_name[name] = None if name in by_name else gemeinde
        for name, shared in by_name.items():
            self.gemeinden.setdefault(name, shared)
        self.offers: dict[str, Offer] = {}
        for offer in Offer.objects.filter(tenant=tenant):
            offer.tenant = tenant
            self.offers[offer.key] = offer
        self.locations: dict[int, list[OfferLocation]] = defaultdict(list)
        self.schedules: dict[int, list[tuple[int, time, time]]] = defaultdict(list)
        if self.offers:
            for location in OfferLocation.objects.filter(tenant=tenant).order_by("id"):
                self.locations[location.offer_id].append(location)
            for slot in OfferSchedule.objects.filter(tenant=tenant).values_list(
                "offer_id", "weekday", "opens_at", "closes_at"
            ):
                self.schedules[slot[0]].append(slot[1:])
        self._may_edit: dict[int, bool] = {}
        self.seen_keys: dict[str, int] = {}

    # ---- errors and permissions

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def may_edit(self, obj: Provider | Offer) -> bool:
        provider_id = obj.pk if isinstance(obj, Provider) else obj.provider_id
        if provider_id not in self._may_edit:
            self._may_edit[provider_id] = policy.can(self.actor, Cap.OFFERS_EDIT, obj)
        return self._may_edit[provider_id]

    # ---- header

    def header(self, number: int, cells: list[Any]) -> dict[int, Column]:
        lookup = {_norm(c.header): c for c in COLUMNS}
        mapping: dict[int, Column] = {}
        seen: set[str] = set()
        for index, cell in enumerate(cells):
            if _blank(cell):
                continue
            name = _text(cell)
            column = lookup.get(_norm(name))
            if column is None:
                self.error(
                    number,
                    name,
                    _("Unknown column “%(name)s”. The template lists the allowed columns.")
                    % {"name": name},
                )
            elif column.field in seen:
                self.error(
                    number,
                    column.header,
                    _("The column “%(name)s” appears more than once.") % {"name": column.header},
                )
            else:
                seen.add(column.field)
                mapping[index] = column
        for column in COLUMNS:
            if column.required and column.field not in seen:
                self.error(
                    number,
                    column.header,
                    _("The required column “%(name)s” is missing.") % {"name": column.header},
                )
        return mapping

    # ---- one cell

    def cell(self, column: Column, value: Any) -> Any:
        name = column.field
        if column.required and _blank(value):
            raise _CellError(_("A value is required in this column."))
        if column.kind == "date":
            return parse_date(value)
        if column.kind == "int":
            number = parse_int(value, INT_LIMITS[name])
            return 0 if number is None and name in INT_ZERO_WHEN_EMPTY else number
        if column.kind == "decimal":
            return parse_decimal(value) or Decimal("0.00")
        if column.kind == "bool":
            return parse_bool(value)
        if column.kind == "list":
            return parse_languages(value)
        if name == "schedule":
            return parse_schedule(value)
        if name == "postcode":
            return _postcode(value)
        if name == "gemeinde":
            return self.gemeinde(value)
        if column.kind == "ref":
            return self.reference(name, _text(value))
        text = _text(value)
        if column.kind == "choice":
            return self.choice(name, text)
        if name == "key":
            if not KEY_RE.fullmatch(text):
                raise _CellError(
                    _("Only letters, digits, - and _ are allowed (no spaces or umlauts).")
                )
            return _limited(text, _max_length("key"))
        if name == "contact_email" and text:
            try:
                validate_email(text)
            except ValidationError:
                raise _CellError(_("This is not a valid e-mail address.")) from None
        return _limited(text, _max_length(name))

    def choice(self, name: str, text: str) -> str:
        if name == "status":
            status = text.casefold()
            if status not in STATUS_VALUES:
                raise _CellError(
                    _("Unknown status “%(value)s”; allowed are %(allowed)s.")
                    % {"value": text, "allowed": ", ".join(STATUS_VALUES)}
                )
            return status
        level = text.upper()
        if level and level not in CEFR_LEVELS:
            raise _CellError(
                _("Unknown language level “%(value)s”; allowed are %(allowed)s.")
                % {"value": text, "allowed": ", ".join(CEFR_LEVELS)}
            )
        return level

    def reference(self, name: str, text: str) -> Any:
        if not text:
            return None
        key = _norm(text)
        if name == "category":
            found: Any = self.categories.get(key)
            message = _("Unknown category “%(value)s”; use the code or the name of a category.")
        elif name == "funding":
            found = self.funding.get(key)
            message = _("Unknown funding “%(value)s”; use a code such as f2 or sgb3.")
        elif name == "provider":
            found = self.providers.get(key)
            message = _(
                "There is no provider “%(value)s” in this tenant; "
                "create the provider first or correct the name."
            )
        else:
            found = self.rule_sets.get(key)
            message = _("Unknown rule set “%(value)s”.")
        if found is None:
            raise _CellError(message % {"value": text})
        return found

    def gemeinde(self, value: Any) -> Territory | None:
        text = _ags(value)
        if not text:
            return None
        key = text if text.isdigit() else _norm(text)
        if key in self.gemeinden and self.gemeinden[key] is None:
            raise _CellError(
                _("There are several municipalities named “%(value)s”; please give the AGS.")
                % {"value": text}
            )
        gemeinde = self.gemeinden.get(key)
        if gemeinde is None:
            raise _CellError(
                _(
                    "The municipality “%(value)s” is not in the area of this tenant "
                    "(8-digit AGS or name)."
                )
                % {"value": text}
            )
        return gemeinde

    # ---- one row

    def row(self, number: int, raw: dict[str, Any]) -> _Planned | None:
        errors_before = len(self.errors)
        values: dict[str, Any] = {}
        failed: set[str] = set()
        for name, value in raw.items():
            column = BY_FIELD[name]
            try:
                values[name] = self.cell(column, value)
            except _CellError as exc:
                failed.add(name)
                self.error(number, column.header, str(exc))
        key: str | None = values.get("key")
        existing = self.offers.get(key) if key else None
        if key:
            if key in self.seen_keys:
                self.error(
                    number,
                    BY_FIELD["key"].header,
                    _(
                        "The offer number “%(key)s” appears more than once in the file "
                        "(first in row %(row)s)."
                    )
                    % {"key": key, "row": self.seen_keys[key]},
                )
            else:
                self.seen_keys[key] = number
        self.check_permissions(number, values, existing)
        self.check_cross_fields(number, values, failed, existing)
        locations = self.plan_locations(number, raw, values, failed, existing)
        schedules = values.get("schedule") if "schedule" in raw else None
        if len(self.errors) > errors_before or key is None:
            return None
        data = {k: v for k, v in values.items() if k in services.OFFER_FIELDS}
        if existing is None:
            return _Planned(number, key, None, data, locations or [], schedules or [])
        data = {k: v for k, v in data.items() if _differs(existing, k, v)}
        if schedules is not None:
            before = sorted(self.schedules.get(existing.pk, []))
            after = [(s["weekday"], s["opens_at"], s["closes_at"]) for s in schedules]
            if before == after:
                schedules = None
        return _Planned(number, key, existing, data, locations, schedules)

    def check_permissions(
        self, number: int, values: dict[str, Any], existing: Offer | None
    ) -> None:
        category: Category | None = values.get("category")
        if (
            category is not None
            and not category.is_active
            and (existing is None or existing.category_id != category.pk)
        ):
            self.error(
                number,
                BY_FIELD["category"].header,
                _("The category “%(name)s” is no longer in use.") % {"name": category.name},
            )
        header = BY_FIELD["provider"].header
        if existing is not None and not self.may_edit(existing):
            self.error(number, header, _("You may only maintain offers of your own organisation."))
            return
        provider: Provider | None = values.get("provider")
        if provider is None or (existing is not None and existing.provider_id == provider.pk):
            return
        if not self.may_edit(provider):
            self.error(number, header, _("You may only maintain offers of your own organisation."))
        elif not provider.is_active:
            self.error(
                number, header, _("The provider “%(name)s” is inactive.") % {"name": provider.name}
            )

    def check_cross_fields(
        self, number: int, values: dict[str, Any], failed: set[str], existing: Offer | None
    ) -> None:
        merged: dict[str, Any] = {
            name: getattr(existing, name) if existing is not None else None for name in CROSS_FIELDS
        }
        merged.update({k: v for k, v in values.items() if k in CROSS_FIELDS})
        for name in failed:
            merged[name] = None
        for name, message in services.offer_validate(merged).items():
            if name not in failed:
                self.error(number, BY_FIELD[name].header, message)

    def plan_locations(
        self,
        number: int,
        raw: dict[str, Any],
        values: dict[str, Any],
        failed: set[str],
        existing: Offer | None,
    ) -> list[dict[str, Any]] | None:
        """The row describes the offer's (first) location; further locations stay."""
        if not any(name in raw for name in LOCATION_FIELDS):
            return None
        current = self.locations.get(existing.pk, []) if existing is not None else []
        first = current[0] if current else None
        given: dict[str, Any] = {}
        for name in LOCATION_FIELDS:
            if name in raw:
                given[name] = values.get(name)
            elif first is not None:
                attr = "name" if name == "location_name" else name
                given[name] = getattr(first, "gemeinde" if name == "gemeinde" else attr, None)
            else:
                given[name] = None
        if failed & set(LOCATION_FIELDS):
            return None
        if not any(given.values()):
            # the location cells were emptied: the first location goes, further ones stay
            return [self._copy(loc) for loc in current[1:]] if current else None
        for name in ("street", "postcode", "city", "gemeinde"):
            if not given[name]:
                self.error(
                    number,
                    BY_FIELD[name].header,
                    _("A location needs street, postcode, city and municipality."),
                )
        if any(not given[n] for n in ("street", "postcode", "city", "gemeinde")):
            return None
        new = {
            "name": given["location_name"] or "",
            "street": given["street"],
            "postcode": given["postcode"],
            "city": given["city"],
            "gemeinde_id": given["gemeinde"].pk,
            "latitude": None,
            "longitude": None,
        }
        if first is not None:
            same_place = (first.street, first.postcode, first.city, first.gemeinde_id) == (
                new["street"],
                new["postcode"],
                new["city"],
                new["gemeinde_id"],
            )
            if same_place and first.name == new["name"]:
                return None  # unchanged
            if same_place:
                new["latitude"], new["longitude"] = first.latitude, first.longitude
        return [new, *(self._copy(loc) for loc in current[1:])]

    @staticmethod
    def _copy(location: OfferLocation) -> dict[str, Any]:
        return {
            "name": location.name,
            "street": location.street,
            "postcode": location.postcode,
            "city": location.city,
            "gemeinde_id": location.gemeinde_id,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }

    # ---- the whole table

    def plan(self, table: Table) -> list[_Planned]:
        if not table.rows:
            self.error(None, "", _("The file is empty."))
            return []
        header_number, header_cells = table.rows[0]
        mapping = self.header(header_number, header_cells)
        if self.errors:
            return []
        if len(table.rows) == 1:
            self.error(None, "", _("The file contains no offers, only the header row."))
            return []
        planned: list[_Planned] = []
        for number, cells in table.rows[1:]:
            raw: dict[str, Any] = {}
            for index, value in enumerate(cells):
                column = mapping.get(index)
                if column is not None:
                    raw[column.field] = value
                elif not _blank(value):
                    self.error(
                        number,
                        get_column_letter(index + 1),
                        _("This column has no header but contains a value."),
                    )
            for column in mapping.values():
                raw.setdefault(column.field, None)
            item = self.row(number, raw)
            if item is not None:
                planned.append(item)
        return planned


# --------------------------------------------------------------------------- the service


def offer_import(*, actor: Any, tenant: Tenant, uploaded_file: Any) -> ImportResult:
    """Import offers from an uploaded XLSX or CSV file: all rows or none.

    ``uploaded_file`` is a Django ``UploadedFile`` (or any binary file object).  Errors are
    returned in the result, by row and column; when there is any, nothing is written.
    """
    policy.require(actor, Cap.OFFERS_IMPORT, tenant)
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        return ImportResult(errors=[RowError(None, "", _too_large(size))])
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        return ImportResult(errors=[RowError(None, "", _too_large(len(data)))])
    try:
        table = read_table(data)
    except ImportFileError as exc:
        return ImportResult(errors=[RowError(None, "", str(exc))])
    planner = _Planner(actor=actor, tenant=tenant)
    planned = planner.plan(table)
    result = ImportResult(rows=len(table.rows) - 1 if table.rows else 0)
    if planner.errors:
        result.errors = planner.errors
        return result
    creates = [item for item in planned if item.existing is None]
    updates = [item for item in planned if item.existing is not None and item.changes]
    try:
        with transaction.atomic():
            services.offer_create_many(
                actor=actor,
                tenant=tenant,
                entries=[
                    services.NewOffer(item.data, item.locations or [], item.schedules or [])
                    for item in creates
                ],
            )
            services.offer_update_many(
                actor=actor,
                tenant=tenant,
                changes=[
                    services.OfferChange(item.existing, item.data, item.locations, item.schedules)
                    for item in updates
                    if item.existing is not None
                ],
            )
            result.created, result.updated = len(creates), len(updates)
            result.unchanged = len(planned) - len(creates) - len(updates)
            audit_record(
                actor=actor,
                action="offer.import",
                tenant=tenant,
                details={
                    "format": table.kind,
                    "file": str(getattr(uploaded_file, "name", "") or "")[:200],
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except DomainError as exc:
        # only possible when the directory changed while the file was checked
        return ImportResult(rows=result.rows, errors=[RowError(None, "", str(exc))])
    except IntegrityError:
        message = _(
            "The offers could not be saved because the directory was changed at the same "
            "time. Nothing was imported; please try again."
        )
        return ImportResult(rows=result.rows, errors=[RowError(None, "", message)])
    return result


# --------------------------------------------------------------------------- the template

KIND_LABELS = {
    "text": "Text",
    "int": "ganze Zahl ab 0",
    "decimal": "Betrag mit Dezimalkomma, z. B. 12,50",
    "date": "Datum TT.MM.JJJJ",
    "bool": "ja/nein (x = ja, leer = nein)",
    "choice": "ein Wert aus der Liste",
    "list": "Liste, durch Kommas getrennt",
    "ref": "Verweis (Code oder Name)",
}


FORMAT_LABELS = {
    "category": "Code oder Name einer Kategorie",
    "funding": "Code (oder Name) einer Förderung",
    "provider": "Name eines Trägers des Mandanten",
    "rule_set": "Code eines Regelwerks",
    "gemeinde": "achtstelliger AGS oder Name einer Gemeinde des Mandanten",
    "status": "geplant, aktiv, pausiert oder beendet",
    "language_level_required": "A0, A1, A2, B1, B2, C1 oder C2",
    "language_level_target": "A0, A1, A2, B1, B2, C1 oder C2",
    "languages": "ISO-639-1-Codes, durch Kommas getrennt",
    "schedule": "Wochentag(e) und Uhrzeiten, mehrere durch ; getrennt",
    "postcode": "fünf Ziffern",
    "contact_email": "E-Mail-Adresse",
}


def column_format(column: Column) -> str:
    """The documented type of a column, in German (template sheet and documentation)."""
    label = FORMAT_LABELS.get(column.field) or KIND_LABELS[column.kind]
    if column.kind == "text" and column.field not in FORMAT_LABELS:
        max_length = _max_length(column.field)
        if max_length:
            label += f", höchstens {max_length} Zeichen"
    return label


def template_xlsx(*, tenant: Tenant) -> bytes:
    """The import template: header row, one example row, and a sheet explaining each column."""
    category = Category.objects.filter(is_active=True).order_by("sort_order", "name").first()
    provider = Provider.objects.filter(tenant=tenant, is_active=True).order_by("name").first()
    gemeinde = gemeinden_in(tenant.territory).first()
    year = date.today().year + 1
    example: dict[str, Any] = {
        "key": f"deutschkurs-a2-{year}",
        "title": "Deutschkurs A2 für junge Erwachsene",
        "description": "Deutsch für Alltag und Beruf, vormittags in kleinen Gruppen.",
        "title_plain": "Deutsch lernen (A2)",
        "description_plain": "Sie lernen Deutsch. Der Kurs ist am Vormittag.",
        "category": category.code if category else "sprache",
        "funding": "",
        "provider": provider.name if provider else "Name des Trägers",
        "status": "geplant",
        "start_date": f"01.09.{year}",
        "end_date": f"26.02.{year + 1}",
        "teaching_hours": 300,
        "schedule": "Mo 09:00-12:30; Mi 09:00-12:30",
        "schedule_note": "nicht in den Schulferien",
        "capacity": 16,
        "seats_taken": 0,
        "waiting_list": 0,
        "languages": "de, ar",
        "language_level_required": "A1",
        "language_level_target": "A2",
        "min_age": 18,
        "max_age": 27,
        "cost": "0,00",
        "cost_note": "",
        "travel_costs_reimbursed": "ja",
        "childcare_reimbursed": "nein",
        "women_only": "nein",
        "childcare_on_site": "nein",
        "wheelchair_accessible": "ja",
        "accessibility_note": "Aufzug vorhanden",
        "contact_name": "Vorname Nachname",
        "contact_email": "kurse@example.org",
        "contact_phone": "",
        "rule_set": "",
        "eligibility_note": "",
        "location_name": "Kursraum",
        "street": "Musterstraße 1",
        "postcode": "12345",
        "city": gemeinde.name if gemeinde else "",
        "gemeinde": gemeinde.ags if gemeinde else "",
    }
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    sheet.append(HEADERS)
    sheet.append([example[c.field] for c in COLUMNS])
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.header) + 4))
        if column.field in ("key", "postcode", "gemeinde"):
            # text columns: Excel must not turn AGS or postcode into numbers (leading zeros)
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
    choices = {
        "status": STATUS_VALUES,
        "language_level_required": CEFR_LEVELS,
        "language_level_target": CEFR_LEVELS,
    }
    for index, column in enumerate(COLUMNS, start=1):
        options = choices.get(column.field) or (["ja", "nein"] if column.kind == "bool" else [])
        if options:
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list", formula1='"' + ",".join(options) + '"', allow_blank=True
            )
            validation.add(f"{letter}2:{letter}1001")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"

    help_sheet = workbook.create_sheet(HELP_SHEET_NAME)
    help_sheet.append(["Spalte", "Pflicht", "Format", "Erläuterung"])
    for cell in help_sheet[1]:
        cell.font = bold
    for column in COLUMNS:
        help_sheet.append(
            [column.header, "ja" if column.required else "nein", column_format(column), column.help]
        )
    help_sheet.append([])
    for line in (
        "Eine Zeile je Angebot; die erste Zeile enthält die Spaltenüberschriften, "
        "die Reihenfolge der Spalten ist frei.",
        "Eine Zeile mit einer vorhandenen Angebotsnummer aktualisiert dieses Angebot; "
        "eine neue Angebotsnummer legt ein neues Angebot an.",
        "Die Datei wird ganz oder gar nicht übernommen: Bei einem Fehler wird nichts gespeichert.",
        "Fehlt eine freiwillige Spalte, bleiben diese Angaben bei vorhandenen Angeboten "
        "unverändert.",
        "Die Beispielzeile in „Angebote“ vor dem Import löschen oder überschreiben.",
        f"Höchstens {max_megabytes()} MB je Datei. CSV-Dateien in UTF-8, "
        "Trennzeichen Semikolon oder Komma.",
    ):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 34
    help_sheet.column_dimensions["B"].width = 9
    help_sheet.column_dimensions["C"].width = 42
    help_sheet.column_dimensions["D"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "XLSX_CONTENT_TYPE",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "offer_import",
    "read_table",
    "template_xlsx",
]

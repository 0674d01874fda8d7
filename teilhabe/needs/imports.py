"""Import of target-group figures from XLSX or CSV (an Ausländerbehörde extract in the
breakdown standard, ``docs/bedarfsanalyse.md``): every row is checked, all or nothing.

Columns (German headers, order free): Stichtag, Gemeinde (AGS or name; empty = not
assigned), Statusgruppe, Altersgruppe, Geschlecht, Staatsangehörigkeit, Leistungssystem,
Anzahl.  A row with "Summe" in the column Statusgruppe is a control total: its Anzahl must
equal the sum of the data rows (of its Gemeinde, or of the whole file if the Gemeinde is empty).
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import DomainError
from teilhabe.offers.imports import (
    ImportFileError,
    RowError,
    _CellError,
    _text,
    max_bytes,
    parse_date,
    read_table,
)
from teilhabe.territory.models import gemeinden_in

from . import services
from .standard import (
    NATIONALITY_OTHER,
    NATIONALITY_UNKNOWN,
    TOP_NATIONALITIES,
    AgeBand,
    BenefitCode,
    SexCode,
    StatusGroup,
    status_group_for,
)

HEADERS = [
    "Stichtag",
    "Gemeinde",
    "Statusgruppe",
    "Altersgruppe",
    "Geschlecht",
    "Staatsangehörigkeit",
    "Leistungssystem",
    "Anzahl",
    "Paragraf",
]
REQUIRED = {"Stichtag", "Statusgruppe", "Altersgruppe", "Anzahl"}
TOTAL_MARK = "summe"
MAX_COUNT = 1_000_000


def _key(text: str) -> str:
    return re.sub(r"[\s_\-–./§()]+", "", text.casefold())


STATUS_ALIASES: dict[str, str] = {}
for _code, _label in StatusGroup.choices:
    STATUS_ALIASES[_key(_code)] = _code
    STATUS_ALIASES[_key(str(_label))] = _code
AGE_ALIASES = {_key(c): c for c in AgeBand.values} | {
    _key(str(lbl)): c for c, lbl in AgeBand.choices
}
SEX_ALIASES = {
    **{_key(c): c for c in SexCode.values},
    "w": "female",
    "weiblich": "female",
    "m": "male",
    "männlich": "male",
    "maennlich": "male",
    "d": "diverse",
    "divers": "diverse",
    "x": "unknown",
    "unbekannt": "unknown",
    "keineangabe": "unknown",
    "": "unknown",
}
BENEFIT_ALIASES = {
    **{_key(c): c for c in BenefitCode.values},
    "asylblg": "asylblg",
    "sgbii": "sgb2",
    "sgbxii": "sgb12",
    "keine": "none",
    "keins": "none",
    "unbekannt": "unknown",
    "keineangabe": "unknown",
    "": "unknown",
}


@dataclass
class FiguresImportResult:
    rows: int = 0
    total: int = 0
    reference_date: date | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _choice(value: Any, aliases: dict[str, str], message: str) -> str:
    text = _text(value)
    found = aliases.get(_key(text))
    if found is None:
        raise _CellError(message % {"value": text})
    return found


def _status_kind(value: Any, paragraph: str) -> str | None:
    """A residence status kind of the engine's catalogue (e.g. ``aufenthaltserlaubnis``) with
    the optional column Paragraf (e.g. ``25a``), as an immigration office extract has it."""
    from teilhabe.eligibility import load_residence_status_catalogue

    kind = _key(_text(value))
    info = load_residence_status_catalogue().get(kind)
    if info is None or (kind in STATUS_ALIASES and not paragraph.strip()):
        return None
    para = paragraph.strip().lower().replace("§", "").replace(" ", "").replace("abs.", "_")
    if para and info.paragraph(para) is None:
        raise _CellError(
            _("Unknown paragraph “%(value)s” for the status kind %(kind)s.")
            % {"value": paragraph, "kind": kind}
        )
    return str(status_group_for(kind, para))


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError(_("Please enter a whole number (0 or more)."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = re.sub(r"\s", "", _text(value)).replace(".", "")
        if not text:
            raise _CellError(_("Please enter the number of people."))
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _CellError(_("Please enter a whole number (0 or more)."))
        number = int(text)
    if number < 0:
        raise _CellError(
            _("The number of people cannot be negative (%(value)s).") % {"value": number}
        )
    if number > MAX_COUNT:
        raise _CellError(_("The number is implausibly large."))
    return number


def _nationality(value: Any) -> str:
    text = _text(value).strip()
    low = _key(text)
    if low in ("", "unbekannt", "keineangabe", "unknown"):
        return NATIONALITY_UNKNOWN
    if low in ("sonstige", "andere", "other"):
        return NATIONALITY_OTHER
    if not re.fullmatch(r"[A-Za-z]{2}", text):
        raise _CellError(
            _(
                "“%(value)s” is not a country code; please use the two-letter ISO code (e.g. SY), "
                "“sonstige” or “unbekannt”."
            )
            % {"value": text}
        )
    code = text.upper()
    return code if code in TOP_NATIONALITIES else NATIONALITY_OTHER


def figures_import(
    *, actor: Any, tenant: Tenant, uploaded_file: Any, replace: bool = False, source: str = ""
) -> FiguresImportResult:
    """Check every row; write the Stichtag's figures only if the whole file is correct."""
    policy.require(actor, Cap.NEEDS_MANAGE, tenant)
    limit = max_bytes()
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    result = FiguresImportResult()
    if len(data) > limit:
        result.errors.append(RowError(None, "", _("The file is too large; please split it.")))
        return result
    try:
        table = read_table(data)
    except ImportFileError as exc:
        result.errors.append(RowError(None, "", str(exc)))
        return result
    if not table.rows:
        result.errors.append(RowError(None, "", _("The file is empty.")))
        return result
    header_number, header_cells = table.rows[0]
    index: dict[str, int] = {}
    known = {_key(h): h for h in HEADERS}
    for i, header in enumerate(header_cells):
        name = known.get(_key(_text(header)))
        if name:
            index[name] = i
    missing = [h for h in HEADERS if h in REQUIRED and h not in index]
    if missing:
        result.errors.append(
            RowError(
                header_number,
                "",
                _("The first row must contain the column headers; missing: %(names)s.")
                % {"names": ", ".join(missing)},
            )
        )
        return result
    gemeinden = list(gemeinden_in(tenant.territory))
    by_ags = {g.ags: g for g in gemeinden} | {g.ags.ljust(8, "0"): g for g in gemeinden}
    by_name = {g.name.casefold(): g for g in gemeinden}

    rows: list[services.FigureRow] = []
    controls: list[tuple[int, int | None, int]] = []  # (row, gemeinde id, expected)
    dates: set[date] = set()
    errors = result.errors

    def cell(cells: list[Any], name: str) -> Any:
        i = index.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    for number, cells in table.rows[1:]:
        row_errors: list[RowError] = []

        def check(
            name: str,
            fn: Any,
            cells: list[Any] = cells,
            row_errors: list[RowError] = row_errors,
            number: int = number,
        ) -> Any:
            try:
                return fn(cell(cells, name))
            except _CellError as exc:
                row_errors.append(RowError(number, name, str(exc)))
                return None

        def ref_date(value: Any) -> date | None:
            on = parse_date(value)
            problem = services.reference_date_error(on)
            if problem:
                raise _CellError(problem)
            return on

        def gemeinde(value: Any) -> int | None:
            text = _text(value)
            if not text:
                return None
            found = (
                by_ags.get(text) or by_ags.get(text.ljust(8, "0")) or by_name.get(text.casefold())
            )
            if found is None:
                raise _CellError(
                    _("“%(value)s” is not a municipality of %(tenant)s.")
                    % {"value": text, "tenant": tenant.territory.name}
                )
            return int(found.pk)

        on = check("Stichtag", ref_date)
        gem = check("Gemeinde", gemeinde)
        is_total = _key(_text(cell(cells, "Statusgruppe"))) == TOTAL_MARK
        count = check("Anzahl", _count)
        if on is not None:
            dates.add(on)
        if is_total:
            if not row_errors and count is not None:
                controls.append((number, gem, count))
            errors.extend(row_errors)
            continue
        paragraph = _text(cell(cells, "Paragraf"))
        group = check(
            "Statusgruppe",
            lambda v, paragraph=paragraph: (
                _status_kind(v, paragraph)
                or _choice(
                    v,
                    STATUS_ALIASES,
                    _(
                        "Unknown status group “%(value)s”; allowed are the codes of the breakdown "
                        "standard (e.g. duldung, gestattung, ae_schutz)."
                    ),
                )
            ),
        )
        band = check(
            "Altersgruppe",
            lambda v: _choice(
                v, AGE_ALIASES, _("Unknown age band “%(value)s”; allowed: 18-20, 21-24, 25-27.")
            ),
        )
        sex = check(
            "Geschlecht",
            lambda v: _choice(
                v,
                SEX_ALIASES,
                _("Unknown sex “%(value)s”; allowed: weiblich, männlich, divers, unbekannt."),
            ),
        )
        nationality = check("Staatsangehörigkeit", _nationality)
        benefit = check(
            "Leistungssystem",
            lambda v: _choice(
                v,
                BENEFIT_ALIASES,
                _(
                    "Unknown benefit system “%(value)s”; allowed: AsylbLG, SGB II, SGB XII, "
                    "keine, unbekannt."
                ),
            ),
        )
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(services.FigureRow(gem, group, band, sex, nationality, benefit, count))
    if len(dates) > 1:
        errors.append(
            RowError(
                None,
                "Stichtag",
                _(
                    "The file contains more than one reference date (%(dates)s); import one "
                    "reference date per file."
                )
                % {"dates": ", ".join(sorted(d.strftime("%d.%m.%Y") for d in dates))},
            )
        )
    sums: dict[int | None, int] = defaultdict(int)
    for r in rows:
        sums[r.gemeinde_id] += r.count
    grand = sum(sums.values())
    for number, gem, expected in controls:
        actual = grand if gem is None else sums.get(gem, 0)
        if actual != expected:
            errors.append(
                RowError(
                    number,
                    "Anzahl",
                    _("The total %(expected)s does not match the sum of the rows (%(actual)s).")
                    % {
                        "expected": number_format(expected, force_grouping=True),
                        "actual": number_format(actual, force_grouping=True),
                    },
                )
            )
    if not rows and not errors:
        errors.append(RowError(None, "", _("The file contains no figures.")))
    result.rows = len(rows)
    result.total = grand
    if errors:
        return result
    result.reference_date = next(iter(dates))
    try:
        services.snapshot_save(
            actor=actor,
            tenant=tenant,
            reference_date=result.reference_date,
            rows=rows,
            source=source or _("Import"),
            replace=replace,
            origin="import",
        )
    except DomainError as exc:
        result.errors.append(RowError(None, "", str(exc)))
    return result


def template_xlsx(*, tenant: Tenant) -> bytes:
    """The import template: headers, two example rows and a control total."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Zielgruppe"
    ws.append(HEADERS)
    for c in ws[1]:
        c.font = Font(bold=True)
    gem = gemeinden_in(tenant.territory).first()
    ags = gem.ags if gem else ""
    ws.append(["31.12.2025", ags, "duldung", "18-20", "männlich", "AF", "AsylbLG", 12])
    ws.append(["31.12.2025", ags, "gestattung", "21-24", "weiblich", "SY", "AsylbLG", 7])
    ws.append(["31.12.2025", "", "Summe", "", "", "", "", 19])
    legend = wb.create_sheet("Standard")
    legend.append(["Spalte", "Code", "Bedeutung"])
    for code, label in StatusGroup.choices:
        legend.append(["Statusgruppe", code, str(label)])
    for band in AgeBand.values:
        legend.append(["Altersgruppe", band.replace("_", "-"), ""])
    for code in ("weiblich", "männlich", "divers", "unbekannt"):
        legend.append(["Geschlecht", code, ""])
    for code in (*TOP_NATIONALITIES, "sonstige", "unbekannt"):
        legend.append(["Staatsangehörigkeit", code, ""])
    for code in ("AsylbLG", "SGB II", "SGB XII", "keine", "unbekannt"):
        legend.append(["Leistungssystem", code, ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

"""Offers as XLSX or CSV in the documented template layout (formula injection neutralised)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from teilhabe.core.exports import safe_cell

from .columns import COLUMNS, HEADERS, WEEKDAY_NAMES
from .models import Offer


def _format(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "bool":
        return "ja" if value else "nein"
    if kind == "date":
        return value.strftime("%d.%m.%Y")
    if kind == "decimal":
        return f"{value:.2f}".replace(".", ",")
    return value


def offer_row(offer: Offer) -> list[Any]:
    location = next(iter(offer.locations.all()), None)
    values: dict[str, Any] = {c.field: getattr(offer, c.field, None) for c in COLUMNS}
    values["category"] = offer.category.code
    values["funding"] = offer.funding.code if offer.funding else ""
    values["provider"] = offer.provider.name
    values["rule_set"] = offer.rule_set.code if offer.rule_set else ""
    values["languages"] = ", ".join(offer.languages or [])
    values["schedule"] = "; ".join(
        f"{WEEKDAY_NAMES[s.weekday]} {s.opens_at:%H:%M}-{s.closes_at:%H:%M}"
        for s in offer.schedules.all()
    )
    values["location_name"] = location.name if location else ""
    values["street"] = location.street if location else ""
    values["postcode"] = location.postcode if location else ""
    values["city"] = location.city if location else ""
    values["gemeinde"] = location.gemeinde.ags if location else ""
    return [safe_cell(_format(values[c.field], c.kind)) for c in COLUMNS]


def offers_xlsx(offers: Iterable[Offer]) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "Angebote"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for offer in offers:
        ws.append(offer_row(offer))
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class _Echo:
    def write(self, value: str) -> str:
        return value


def offers_csv(offers: Iterable[Offer]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(HEADERS)
    for offer in offers:
        yield writer.writerow(offer_row(offer))

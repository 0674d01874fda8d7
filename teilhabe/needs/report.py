"""The "Bedarfs- und Angebotsanalyse" report for the alliance as PDF (WeasyPrint) and XLSX
(openpyxl): target-group figures, the gap matrix with heatmap, the trend, the planned measures
and the number of chains of measures.  It leaves the case-work role: every count of people
from 1 to 4 appears as "< 5"; coverage ratios of such cells are left out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record
from teilhabe.core.exports import safe_cell

from . import selectors
from .matrix import LEVEL_GAP, LEVEL_LOW, LEVEL_NONE, LEVEL_OK, LEVEL_PART, coarse
from .models import PlannedMeasure, TargetGroupSnapshot

LEVEL_FILL = {
    LEVEL_GAP: "7F1D1D",
    LEVEL_LOW: "FECACA",
    LEVEL_PART: "FDE68A",
    LEVEL_OK: "BBF7D0",
    LEVEL_NONE: "FFFFFF",
}


def level_short_labels() -> dict[str, str]:
    """The assessment inside a heatmap cell."""
    return {
        LEVEL_GAP: pgettext("needs", "Gap"),
        LEVEL_LOW: pgettext("needs", "below 50 %"),
        LEVEL_PART: pgettext("needs", "partly covered"),
        LEVEL_OK: pgettext("needs", "covered"),
        LEVEL_NONE: pgettext("needs", "no demand"),
    }


def level_labels() -> dict[str, str]:
    """The legend of the heatmap."""
    return {
        LEVEL_GAP: pgettext("needs", "gap: demand, no accessible offer"),
        LEVEL_LOW: pgettext("needs", "coverage below 50 %"),
        LEVEL_PART: pgettext("needs", "coverage 50–99 %"),
        LEVEL_OK: pgettext("needs", "covered"),
        LEVEL_NONE: pgettext("needs", "no demand"),
    }


@dataclass
class ReportData:
    tenant: Tenant
    on: date
    created: Any
    snapshot: TargetGroupSnapshot | None
    breakdowns: list[Any]
    development: Any
    page: Any
    trend_dates: list[date]
    trend_rows: list[Any]
    measures: list[PlannedMeasure]
    chains: int


def report_data(*, actor: Any, tenant: Tenant, on: date) -> ReportData:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    snapshots = selectors.snapshots_for(actor=actor, tenant=tenant)
    snapshot = next((s for s in reversed(snapshots) if s.reference_date <= on), None)
    page = selectors.matrix_for(actor=actor, tenant=tenant, on=on)
    dates, rows, _pages = selectors.trend_for(actor=actor, tenant=tenant, on=on)
    data = ReportData(
        tenant=tenant,
        on=on,
        created=timezone.localtime(),
        snapshot=snapshot,
        breakdowns=selectors.snapshot_breakdowns(snapshot) if snapshot else [],
        development=selectors.development_for(actor=actor, tenant=tenant),
        page=page,
        trend_dates=dates,
        trend_rows=rows,
        measures=selectors.measure_list_for(actor=actor, tenant=tenant),
        chains=selectors.chains_count_for(actor=actor, tenant=tenant, on=on),
    )
    audit_record(
        actor=actor,
        action="needs.report",
        tenant=tenant,
        details={"reference_date": on.isoformat()},
    )
    return data


def filename(data: ReportData, ext: str) -> str:
    return f"bedarfsanalyse-{data.on:%Y-%m-%d}.{ext}"


def report_pdf(data: ReportData, request: HttpRequest) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "needs/report_pdf.html",
        {"data": data, "levels": level_labels()},
        request=request,
    )
    return bytes(HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf())


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"external resources are not loaded into PDFs: {url}")


def report_xlsx(data: ReportData) -> bytes:
    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    ws.title = "Übersicht"
    ws.append([_("Needs and offer analysis"), data.tenant.name])
    ws.append([_("Reference date"), data.on.strftime("%d.%m.%Y")])
    ws.append([pgettext("needs", "Created"), data.created.strftime("%d.%m.%Y %H:%M")])
    ws.append([pgettext("needs", "Gaps"), data.page.matrix.gap_count])
    ws.append([pgettext("needs", "Chains of measures without progress"), coarse(data.chains)])
    ws.append([])
    ws.append([_("Counts of people from 1 to 4 are shown as “< 5”.")])
    for row in ws.iter_rows(max_col=1):
        row[0].font = bold

    tg = wb.create_sheet(pgettext("needs", "Target group")[:31])
    if data.snapshot:
        tg.append([_("Reference date"), data.snapshot.reference_date.strftime("%d.%m.%Y")])
        tg.append([pgettext("needs", "Total"), coarse(data.snapshot.total)])
        for b in data.breakdowns:
            tg.append([])
            tg.append([safe_cell(b.title)])
            tg.cell(row=tg.max_row, column=1).font = bold
            for label, n in b.rows:
                tg.append([safe_cell(label), coarse(n)])
    tg.append([])
    tg.append([pgettext("needs", "Development")])
    tg.cell(row=tg.max_row, column=1).font = bold
    for d, n in zip(data.development.dates, data.development.totals, strict=True):
        tg.append([d.strftime("%d.%m.%Y"), coarse(n)])

    mx = wb.create_sheet(pgettext("needs", "Gap matrix")[:31])
    m = data.page.matrix
    header = [_("Category")]
    for _key, label in m.columns:
        header += [
            f"{label}: {pgettext('needs', 'demand')}",
            f"{label}: {pgettext('needs', 'seats')}",
            f"{label}: {pgettext('needs', 'coverage')}",
        ]
    mx.append(header)
    for c in mx[1]:
        c.font = bold
        c.alignment = Alignment(wrap_text=True)
    labels = level_labels()
    for row in m.rows:
        values: list[Any] = [safe_cell(row.label)]
        for cell in row.cells:
            values += [coarse(cell.demand), cell.seats, cell.coverage_text(suppress=True)]
        mx.append(values)
        r = mx.max_row
        for i, cell in enumerate(row.cells):
            fill = PatternFill("solid", fgColor=LEVEL_FILL[cell.level])
            for j in range(3):
                target = mx.cell(row=r, column=2 + 3 * i + j)
                target.fill = fill
                if cell.level == LEVEL_GAP:
                    target.font = Font(color="FFFFFF", bold=True)
    mx.append([])
    for level, label in labels.items():
        mx.append([label])
        mx.cell(row=mx.max_row, column=1).fill = PatternFill("solid", fgColor=LEVEL_FILL[level])
        if level == LEVEL_GAP:
            mx.cell(row=mx.max_row, column=1).font = Font(color="FFFFFF", bold=True)
    mx.freeze_panes = "B2"

    tr = wb.create_sheet(pgettext("needs", "Trend")[:31])
    tr.append(
        [_("Category")]
        + [f"{d:%d.%m.%Y} {pgettext('needs', 'demand')}" for d in data.trend_dates]
        + [f"{d:%d.%m.%Y} {pgettext('needs', 'gaps')}" for d in data.trend_dates]
    )
    for c in tr[1]:
        c.font = bold
    for row in data.trend_rows:
        tr.append([safe_cell(row.label)] + [coarse(p.demand) for p in row.points] + list(row.gaps))

    ms = wb.create_sheet(pgettext("needs", "Planned measures")[:31])
    ms.append(
        [
            pgettext("needs", "What"),
            pgettext("needs", "For whom"),
            _("Provider"),
            pgettext("needs", "Funding"),
            _("Seats"),
            _("Start"),
            pgettext("needs", "Responsible organisation"),
            _("Status"),
            pgettext("needs", "Gap"),
            _("Offer"),
        ]
    )
    for c in ms[1]:
        c.font = bold
    for me in data.measures:
        ms.append(
            [
                safe_cell(me.title),
                safe_cell(me.target_group),
                safe_cell(me.provider.name if me.provider else ""),
                safe_cell(me.funding.name if me.funding else me.funding_note),
                me.capacity,
                me.start.strftime("%d.%m.%Y") if me.start else "",
                safe_cell(me.responsible_organisation),
                str(me.get_status_display()),
                safe_cell(me.gap.title if me.gap else ""),
                safe_cell(me.offer.title if me.offer else ""),
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

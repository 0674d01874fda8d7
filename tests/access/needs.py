"""Access-matrix rows of the needs area (``/t/<tenant>/bedarfe/…``).

Aggregated pages: coordination, alliance members, evaluation and case workers (figures of
people coarsened); imports and planning: the coordination; the chains list and the needs
survey: case workers (the survey only for their own participants, see test_needs_views).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from tests.access._helpers import row, tenant_page

VIEWERS = ["coordination", "case_worker", "alliance_member", "evaluator"]

ROWS: dict[str, dict[str, int]] = {
    "needs:overview": tenant_page(VIEWERS),
    "needs:target_group": tenant_page(VIEWERS),
    "needs:snapshot_detail": tenant_page(VIEWERS),
    "needs:target_group_create": tenant_page(["coordination"]),
    "needs:target_group_import": tenant_page(["coordination"]),
    "needs:target_group_template": tenant_page(["coordination"]),
    "needs:estimates": tenant_page(VIEWERS),
    "needs:matrix": tenant_page(VIEWERS),
    "needs:cell": tenant_page(VIEWERS),
    "needs:trend": tenant_page(VIEWERS),
    "needs:gap_list": tenant_page(VIEWERS),
    # POST only: members get 405 for a GET, non-members 404
    "needs:gap_create": row(405, other_tenant=404, platform_admin=404, land=404, anonymous=302),
    "needs:gap_detail": tenant_page(VIEWERS),
    "needs:measure_list": tenant_page(VIEWERS),
    "needs:measure_create": tenant_page(["coordination"]),
    "needs:measure_edit": tenant_page(VIEWERS),
    "needs:chains": tenant_page(["case_worker"]),
    "needs:survey": tenant_page(["case_worker"]),
    "needs:report_pdf": tenant_page(VIEWERS),
    "needs:report_xlsx": tenant_page(VIEWERS),
}


def url(name: str, world: Any) -> str:
    from teilhabe.needs.models import Gap, PlannedMeasure
    from tests.casework_cases_factories import make_world_case
    from tests.needs_factories import category, snapshot

    tenant = world.tenant.public_id
    base = reverse(name, args=[tenant]) if name not in _WITH_OBJECT else ""
    if name == "needs:cell":
        return base + "?dim=status&kategorie=sprache&spalte=duldung"
    if name == "needs:snapshot_detail":
        on = timezone.localdate() - timedelta(days=5)
        snap = snapshot(world.tenant, on, [("duldung", "18_20", "male", 9)])
        return reverse(name, args=[tenant, snap.public_id])
    if name in ("needs:gap_detail", "needs:measure_edit"):
        gap = Gap.objects.create(
            tenant=world.tenant,
            reference_date=timezone.localdate(),
            category=category("sprache"),
            status_group="duldung",
            title="Sprachkurse für Geduldete",
        )
        if name == "needs:gap_detail":
            return reverse(name, args=[tenant, gap.public_id])
        measure = PlannedMeasure.objects.create(
            tenant=world.tenant,
            gap=gap,
            title="Sprachkurs",
            target_group="Geduldete",
            responsible_organisation="KI",
        )
        return reverse(name, args=[tenant, measure.public_id])
    if name == "needs:survey":
        case = make_world_case(world)
        return reverse(name, args=[tenant, case.participant.public_id])
    return base


_WITH_OBJECT = {"needs:snapshot_detail", "needs:gap_detail", "needs:measure_edit", "needs:survey"}

"""Needs and offer analysis of the demo (``seed_needs``) and a cheap variant for the NRW seed
(``seed_needs_figures``).

Target-group figures at four Stichtage (growing, in the breakdown standard, by Gemeinde),
survey results and expert estimates, needs recorded with about a third of the participants,
two recorded gaps from the matrix with planned measures.  Deterministic for the seeder's
``rng`` and ``today``; written directly (no services, no audit events, like the other seeds).
Idempotent: a tenant with figures keeps them.  Runs before the alliance seed, which links
decisions and tasks to the gaps and measures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from teilhabe.accounts.models import Tenant, User
from teilhabe.needs.models import (
    Gap,
    NeedEstimate,
    ParticipantNeed,
    PlannedMeasure,
    TargetGroupRow,
    TargetGroupSnapshot,
)
from teilhabe.needs.standard import TOP_NATIONALITIES, AgeBand, StatusGroup
from teilhabe.offers.models import Category, FundingSource, Provider
from teilhabe.participants.models import Participant
from teilhabe.territory.models import gemeinden_in

# Share of the target group per status group (roughly: Duldung and Gestattung in focus).
GROUP_WEIGHTS = {
    StatusGroup.GESTATTUNG: 22,
    StatusGroup.DULDUNG: 18,
    StatusGroup.DULDUNG_60C_60D: 4,
    StatusGroup.AE_SCHUTZ: 26,
    StatusGroup.AE_25_4_5: 5,
    StatusGroup.AE_BLEIBERECHT: 4,
    StatusGroup.AE_24: 12,
    StatusGroup.AE_SONSTIGE: 4,
    StatusGroup.NIEDERLASSUNG: 2,
    StatusGroup.SONSTIGE: 3,
}
BENEFIT_OF = {
    StatusGroup.GESTATTUNG: "asylblg",
    StatusGroup.DULDUNG: "asylblg",
    StatusGroup.DULDUNG_60C_60D: "asylblg",
    StatusGroup.AE_25_4_5: "asylblg",
}
BAND_WEIGHTS = {AgeBand.A18_20: 30, AgeBand.A21_24: 42, AgeBand.A25_27: 28}


def stichtage(today: dt.date) -> list[dt.date]:
    """31.12. of the last three years and the last 30.06. before today."""
    dates = [dt.date(today.year - k, 12, 31) for k in (3, 2, 1)]
    mid = dt.date(today.year, 6, 30)
    dates.append(mid if mid < today else dt.date(today.year - 1, 6, 30))
    return sorted({d for d in dates if d < today})


def _figures(s: Any, tenant: Tenant, on: dt.date, total: int, *, by_gemeinde: bool) -> None:
    snap = TargetGroupSnapshot.objects.create(
        tenant=tenant, reference_date=on, source="Ausländerbehörde (Auszug)", total=0
    )
    gemeinden = list(gemeinden_in(tenant.territory)) if by_gemeinde else [None]
    rng = s.rng
    rows: dict[tuple[Any, ...], int] = {}
    weight_sum = sum(GROUP_WEIGHTS.values())
    for gemeinde in gemeinden:
        share = total / len(gemeinden) * rng.uniform(0.6, 1.4)
        for group, gw in GROUP_WEIGHTS.items():
            for band, bw in BAND_WEIGHTS.items():
                n = round(share * gw / weight_sum * bw / 100)
                if n <= 0:
                    continue
                women = round(n * rng.uniform(0.25, 0.45))
                for sex, count in (("female", women), ("male", n - women)):
                    if count <= 0:
                        continue
                    nat = rng.choice([*TOP_NATIONALITIES[:6], "other"])
                    key = (gemeinde.pk if gemeinde else None, group, band, sex, nat)
                    rows[key] = rows.get(key, 0) + count
    objs = [
        TargetGroupRow(
            tenant=tenant,
            snapshot=snap,
            gemeinde_id=k[0],
            status_group=k[1],
            age_band=k[2],
            sex=k[3],
            nationality=k[4],
            benefit=BENEFIT_OF.get(k[1], "sgb2"),
            count=n,
        )
        for k, n in rows.items()
    ]
    TargetGroupRow.objects.bulk_create(objs, batch_size=2000)
    snap.total = sum(rows.values())
    snap.save(update_fields=["total"])


def seed_needs_figures(
    s: Any, tenant: Tenant, *, base_total: int = 900, by_gemeinde: bool = True
) -> None:
    """Target-group figures at the Stichtage (idempotent)."""
    if TargetGroupSnapshot.objects.filter(tenant=tenant).exists():
        return
    today = timezone.localdate()
    dates = stichtage(today)
    for i, on in enumerate(dates):
        _figures(s, tenant, on, int(base_total * (1 + 0.08 * i)), by_gemeinde=by_gemeinde)


def seed_needs(s: Any, tenant: Tenant, coordinator: User | None = None) -> None:
    """The demo: figures, estimates, recorded needs, two gaps with planned measures."""
    if TargetGroupSnapshot.objects.filter(tenant=tenant).exists():
        return
    seed_needs_figures(s, tenant)
    today = timezone.localdate()
    rng = s.rng
    cats = {c.code: c for c in Category.objects.filter(is_active=True)}
    latest = max(stichtage(today))
    estimates = [
        ("wohnen", StatusGroup.DULDUNG, 35, "estimate", "Fachrunde Wohnen (Sozialamt)"),
        ("wohnen", StatusGroup.GESTATTUNG, 48, "estimate", "Fachrunde Wohnen (Sozialamt)"),
        ("gesundheit", StatusGroup.GESTATTUNG, 22, "estimate", "Psychosoziales Zentrum"),
        ("sprache", StatusGroup.DULDUNG, 60, "survey", "Befragung in Unterkünften"),
        ("mobilitaet", StatusGroup.DULDUNG, 18, "survey", "Befragung in Unterkünften"),
        ("schulabschluss", StatusGroup.DULDUNG, 25, "survey", "Befragung am Berufskolleg"),
        ("kinderbetreuung", StatusGroup.GESTATTUNG, 12, "estimate", "Jugendamt"),
    ]
    for code, group, n, kind, source in estimates:
        if code in cats:
            NeedEstimate.objects.create(
                tenant=tenant,
                reference_date=latest,
                category=cats[code],
                status_group=group,
                count=n,
                source_kind=kind,
                source=source,
                created_by=coordinator,
            )
    # needs recorded with about a third of the participants (needs surveys)
    people = list(
        Participant.objects.filter(tenant=tenant, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    responsible = dict(
        Participant.objects.filter(tenant=tenant)
        .filter(cases__isnull=False)
        .values_list("pk", "cases__responsible_id")
    )
    codes = [c for c in ("wohnen", "mobilitaet", "gesundheit", "sprache", "arbeit") if c in cats]
    needs = []
    for pid in people:
        if rng.random() > 0.33 or not codes or pid not in responsible:
            continue
        for code in rng.sample(codes, k=rng.randint(1, 2)):
            recorded = today - dt.timedelta(days=rng.randint(10, 500))
            needs.append(
                ParticipantNeed(
                    tenant=tenant,
                    participant_id=pid,
                    category=cats[code],
                    urgency=rng.choice([1, 2, 2, 3]),
                    recorded_on=recorded,
                    met_on=recorded + dt.timedelta(days=120) if rng.random() < 0.25 else None,
                    recorded_by_id=responsible[pid],
                )
            )
    ParticipantNeed.objects.bulk_create(needs, batch_size=2000)
    _gaps_and_measures(s, tenant, coordinator, latest, cats)


def _gaps_and_measures(
    s: Any, tenant: Tenant, coordinator: User | None, on: dt.date, cats: dict[str, Category]
) -> None:
    from teilhabe.needs.selectors import compute_matrix

    page = compute_matrix(tenant, on)
    keys = [k for k, _label in page.matrix.columns]
    labels = dict(page.matrix.columns)
    found = []
    for cat, row in zip(page.categories, page.matrix.rows, strict=True):
        for key, cell in zip(keys, row.cells, strict=True):
            if cell.is_gap or cell.is_shortage:
                found.append((cell.demand, cat, key, cell))
    found.sort(key=lambda x: -x[0])
    provider = Provider.objects.filter(tenant=tenant).order_by("pk").first()
    fundings = {f.code: f for f in FundingSource.objects.all()}
    plans = [
        ("Wohnraumlotsen für junge Geflüchtete", "f5", 20, "geplant"),
        ("Sprachcafé mit Kinderbetreuung", "f2", 15, "beantragt"),
    ]
    for (demand, cat, key, cell), (title, funding, seats, status) in zip(
        found[:2], plans, strict=False
    ):
        gap = Gap.objects.create(
            tenant=tenant,
            reference_date=on,
            category=cat,
            status_group=str(key),
            title=f"{cat.name} – {labels[key]}",
            description="Aus der Lückenmatrix erfasst (Bündnissitzung).",
            demand=demand,
            supply=cell.seats,
            created_by=coordinator,
        )
        PlannedMeasure.objects.create(
            tenant=tenant,
            gap=gap,
            title=title,
            target_group=f"{labels[key]}, 18–27 Jahre",
            category=cat,
            provider=provider,
            funding=fundings.get(funding),
            capacity=seats,
            start=on + dt.timedelta(days=s.rng.randint(60, 200)),
            responsible_organisation="Kommunales Integrationszentrum",
            status=status,
            created_by=coordinator,
        )

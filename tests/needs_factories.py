"""Builders for the needs area's tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from teilhabe.accounts.models import Tenant, User
from teilhabe.needs.models import NeedEstimate, ParticipantNeed, TargetGroupRow, TargetGroupSnapshot
from teilhabe.offers.models import Category
from teilhabe.participants.models import Case, Goal, Participant, ResidenceStatusEntry
from tests.casework_cases_factories import make_case, make_participant


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def person_with_need(
    tenant: Tenant,
    responsible: User,
    *,
    kind: str = "duldung",
    paragraph: str = "60a",
    category_code: str = "sprache",
    birth_date: date = date(2003, 5, 17),
    via: str = "goal",
    name: str = "Amina",
    **kw: Any,
) -> Participant:
    """A participant with a case, a current residence status and an open need."""
    participant = make_participant(tenant, first_name=name, birth_date=birth_date, **kw)
    case = make_case(tenant, participant, responsible)
    today = timezone.localdate()
    if kind:
        ResidenceStatusEntry.objects.create(
            tenant=tenant,
            participant=participant,
            kind=kind,
            paragraph=paragraph,
            valid_from=today - timedelta(days=400),
        )
    add_need(case, category_code, via=via, user=responsible)
    return participant


def add_need(
    case: Case, category_code: str, *, via: str = "goal", user: User | None = None
) -> None:
    today = timezone.localdate()
    if via == "goal":
        Goal.objects.create(
            tenant=case.tenant, case=case, category=category(category_code), text="Ziel"
        )
    else:
        ParticipantNeed.objects.create(
            tenant=case.tenant,
            participant=case.participant,
            category=category(category_code),
            recorded_on=today - timedelta(days=1),
            recorded_by=user or case.responsible,
        )


def estimate(tenant: Tenant, category_code: str, group: str, count: int, **kw: Any) -> NeedEstimate:
    return NeedEstimate.objects.create(
        tenant=tenant,
        reference_date=kw.pop("reference_date", timezone.localdate() - timedelta(days=10)),
        category=category(category_code),
        status_group=group,
        count=count,
        source_kind=kw.pop("source_kind", "estimate"),
        source=kw.pop("source", "Fachkräfterunde"),
        **kw,
    )


def snapshot(
    tenant: Tenant, on: date, rows: list[tuple[str, str, str, int]]
) -> TargetGroupSnapshot:
    """rows: (status group, age band, sex, count)."""
    snap = TargetGroupSnapshot.objects.create(
        tenant=tenant, reference_date=on, total=sum(r[3] for r in rows), source="ABH"
    )
    for group, band, sex, n in rows:
        TargetGroupRow.objects.create(
            tenant=tenant,
            snapshot=snap,
            status_group=group,
            age_band=band,
            sex=sex,
            nationality="SY",
            benefit="asylblg",
            count=n,
        )
    return snap

"""The gap matrix from the database: demand, accessible supply via the eligibility engine,
referrals, estimates; drill-down and chains of measures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from teilhabe.needs import selectors
from teilhabe.needs.models import NeedsSettings
from teilhabe.participants.models import EducationEpisode, Outcome, Referral
from tests.casework_cases_factories import make_case, make_participant
from tests.conftest import World
from tests.factories import make_offer, make_provider, make_rule_set
from tests.needs_factories import add_need, category, estimate, person_with_need, snapshot

pytestmark = pytest.mark.django_db


def _duldung_only_rule_set(world: World):  # type: ignore[no-untyped-def]
    from teilhabe.offers.models import RuleSetRecord

    definition = {
        "code": "gt.gestattung",
        "name_de": "Nur Gestattung",
        "name_en": "Gestattung only",
        "valid_from": "2020-01-01",
        "valid_until": None,
        "criteria": [
            {
                "code": "status",
                "kind": "residence_status",
                "required": True,
                "params": {"allowed": [{"kind": "gestattung"}]},
                "source": "Test",
            }
        ],
    }
    return RuleSetRecord.objects.create(
        tenant=world.tenant, code="gt.gestattung", name="Nur Gestattung", definition=definition
    )


def test_matrix_counts_demand_supply_and_gaps(world: World) -> None:
    cw = world.users["case_worker"]
    today = timezone.localdate()
    # Sprache: 2 Duldung (one via goal and a need: counted once), 1 Gestattung (need)
    p1 = person_with_need(world.tenant, cw, name="A")
    add_need(p1.cases.get(), "sprache", via="need")
    person_with_need(world.tenant, cw, name="B")
    person_with_need(world.tenant, cw, name="C", kind="gestattung", paragraph="", via="need")
    # Arbeit: 1 Duldung
    person_with_need(world.tenant, cw, name="D", category_code="arbeit")
    # an estimate adds 7 Duldung for Sprache
    estimate(world.tenant, "sprache", "duldung", 7)
    provider = make_provider(world.tenant)
    # Sprache: an open offer (16 seats) and a Gestattung-only offer (10 seats)
    make_offer(world.tenant, provider, key="k1", capacity=16)
    make_offer(
        world.tenant, provider, key="k2", capacity=10, rule_set=_duldung_only_rule_set(world)
    )
    # Arbeit: only a Gestattung offer -> gap for Duldung
    make_offer(
        world.tenant,
        provider,
        key="k3",
        capacity=5,
        category_code="arbeit",
        rule_set=world.tenant and _rs(world),
    )
    page = selectors.compute_matrix(world.tenant, today)
    m = page.matrix
    lang = category("sprache").pk
    work = category("arbeit").pk
    d = m.cell(lang, "duldung")
    g = m.cell(lang, "gestattung")
    assert d is not None and g is not None
    assert (d.demand, d.offers, d.seats) == (9, 1, 16)
    assert (g.demand, g.offers, g.seats) == (1, 2, 26)
    wd = m.cell(work, "duldung")
    assert wd is not None and wd.is_gap and wd.demand == 1
    assert m.gap_count == 1


def _rs(world: World):  # type: ignore[no-untyped-def]
    from teilhabe.offers.models import RuleSetRecord

    return RuleSetRecord.objects.filter(code="gt.gestattung").first() or _duldung_only_rule_set(
        world
    )


def test_matrix_by_age_and_sex_and_referrals(world: World) -> None:
    cw = world.users["case_worker"]
    today = timezone.localdate()
    young = person_with_need(
        world.tenant, cw, name="Y", birth_date=today.replace(year=today.year - 19), sex="female"
    )
    person_with_need(
        world.tenant, cw, name="O", birth_date=today.replace(year=today.year - 26), sex="male"
    )
    provider = make_provider(world.tenant)
    offer = make_offer(
        world.tenant, provider, key="k1", rule_set=make_rule_set(world.tenant, max_age=24)
    )
    Referral.objects.create(
        tenant=world.tenant, case=young.cases.get(), offer=offer, status="warteliste"
    )
    m = selectors.compute_matrix(world.tenant, today, "age").matrix
    lang = category("sprache").pk
    assert m.cell(lang, "18_20").demand == 1  # type: ignore[union-attr]
    assert m.cell(lang, "18_20").offers == 1  # type: ignore[union-attr]
    assert m.cell(lang, "18_20").waiting == 1  # type: ignore[union-attr]
    assert m.cell(lang, "25_27").is_gap  # type: ignore[union-attr]  # max age 24
    s = selectors.compute_matrix(world.tenant, today, "sex").matrix
    assert s.cell(lang, "female").demand == 1  # type: ignore[union-attr]
    assert s.cell(lang, "male").demand == 1  # type: ignore[union-attr]


def test_matrix_runs_a_fixed_number_of_queries(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    cw = world.users["case_worker"]
    provider = make_provider(world.tenant)
    for i in range(12):
        person_with_need(world.tenant, cw, name=f"P{i}", category_code=["sprache", "arbeit"][i % 2])
        make_offer(
            world.tenant, provider, key=f"o{i}", rule_set=make_rule_set(world.tenant, code=f"r{i}")
        )
    today = timezone.localdate()
    for dim in ("status", "age", "sex", "gemeinde"):
        with django_assert_max_num_queries(12):
            selectors.compute_matrix(world.tenant, today, dim)


def test_earlier_stichtag_ignores_later_needs_and_statuses(world: World) -> None:
    cw = world.users["case_worker"]
    person_with_need(world.tenant, cw, name="A")
    past = timezone.localdate() - timedelta(days=30)
    m = selectors.compute_matrix(world.tenant, past).matrix
    assert m.rows and sum(r.total.demand for r in m.rows) == 0


def test_target_group_row_shows_latest_snapshot(world: World) -> None:
    today = timezone.localdate()
    snapshot(world.tenant, today - timedelta(days=100), [("duldung", "18_20", "male", 40)])
    snapshot(
        world.tenant,
        today - timedelta(days=10),
        [("duldung", "18_20", "male", 55), ("gestattung", "21_24", "female", 12)],
    )
    m = selectors.compute_matrix(world.tenant, today).matrix
    keys = [k for k, _l in m.columns]
    assert m.target_group[keys.index("duldung")] == 55
    assert m.target_group[keys.index("gestattung")] == 12


def test_chains_of_measures_without_progress(world: World) -> None:
    cw = world.users["case_worker"]
    today = timezone.localdate()
    chain = make_participant(world.tenant, first_name="Kette")
    make_case(world.tenant, chain, cw)
    progress = make_participant(world.tenant, first_name="Fortschritt")
    pcase = make_case(world.tenant, progress, cw)
    for p in (chain, progress):
        for i in range(3):
            EducationEpisode.objects.create(
                tenant=world.tenant,
                participant=p,
                kind="massnahme",
                title=f"M{i}",
                started_on=today - timedelta(days=100 * (i + 1)),
            )
    Outcome.objects.create(
        tenant=world.tenant,
        case=pcase,
        moment="closure",
        kind="sprachniveau",
        recorded_on=today - timedelta(days=5),
    )
    listed = selectors.chains_list_for(actor=cw, tenant=world.tenant)
    assert [p.first_name for p in listed] == ["Kette"]
    assert selectors.chains_count_for(actor=world.users["coordination"], tenant=world.tenant) == 1
    # configurable: four measures needed -> nobody
    NeedsSettings.objects.create(tenant=world.tenant, chain_min_measures=4, chain_window_months=24)
    assert selectors.chains_count_for(actor=world.users["coordination"], tenant=world.tenant) == 0


def test_drilldown_lists_only_own_participants(world: World) -> None:
    cw = world.users["case_worker"]
    other_cw = world.users["coordination"]  # any other user as responsible
    person_with_need(world.tenant, cw, name="Eigene")
    person_with_need(world.tenant, other_cw, name="Fremde")
    today = timezone.localdate()
    people = selectors.cell_participants_for(
        actor=cw,
        tenant=world.tenant,
        on=today,
        category=category("sprache"),
        dimension="status",
        column="duldung",
    )
    assert people is not None and [n.participant.first_name for n in people] == ["Eigene"]
    assert (
        selectors.cell_participants_for(
            actor=world.users["coordination"],
            tenant=world.tenant,
            on=today,
            category=category("sprache"),
            dimension="status",
            column="duldung",
        )
        is None
    )


def test_seed_needs_records_figures_gaps_and_measures_once(world: World) -> None:
    from teilhabe.needs.models import Gap, PlannedMeasure, TargetGroupSnapshot
    from teilhabe.seeding.builders import Seeder
    from teilhabe.seeding.needs import seed_needs

    seed_needs(Seeder(3), world.tenant, world.users["coordination"])
    counts = (
        TargetGroupSnapshot.objects.count(),
        Gap.objects.count(),
        PlannedMeasure.objects.count(),
    )
    assert counts[0] >= 3 and counts[1] >= 1 and counts[2] == counts[1]
    assert all(s.total > 0 for s in TargetGroupSnapshot.objects.all())
    seed_needs(Seeder(3), world.tenant, world.users["coordination"])
    assert (
        TargetGroupSnapshot.objects.count(),
        Gap.objects.count(),
        PlannedMeasure.objects.count(),
    ) == counts

"""Matching typed-in facts against the tenant's offers ("passende Angebote")."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from teilhabe.eligibility import Facts, Status
from teilhabe.offers.matching import rank_offers
from teilhabe.offers.models import RuleSetRecord
from teilhabe.offers.selectors import offers_for_matching
from teilhabe.offers.services import programme_rule_sets_load

from .conftest import World, login
from .factories import make_offer, make_provider

ON = date(2026, 11, 26)


def _target_group_rules(world: World) -> RuleSetRecord:
    """The DiAA target-group rules without the programme period, as a tenant rule set."""
    programme_rule_sets_load()
    base = RuleSetRecord.objects.get(tenant=None, code="diaa.target_group").definition
    definition = dict(base, code="gt.zielgruppe", valid_from="2019-01-01", valid_until=None)
    definition["criteria"] = [c for c in base["criteria"] if c["kind"] != "within_period"]
    return RuleSetRecord.objects.create(
        tenant=world.tenant, code="gt.zielgruppe", name="Zielgruppe 18–27", definition=definition
    )


def test_ranking_puts_eligible_category_fit_and_nearby_first(world: World) -> None:
    rules = _target_group_rules(world)
    vhs = make_provider(world.tenant)
    near = make_offer(world.tenant, vhs, key="near", title="Deutsch A1 nah", rule_set=rules)
    other_cat = make_offer(
        world.tenant, vhs, key="cat", title="Beratung", category_code="beratung", rule_set=rules
    )
    too_hard = make_offer(
        world.tenant, vhs, key="b2", title="Deutsch B2", language_level_required="B1"
    )
    women = make_offer(world.tenant, vhs, key="frauen", title="Frauenkurs", women_only=True)
    young = make_offer(world.tenant, vhs, key="u21", title="Unter 21", max_age=20)
    facts = Facts.from_dict(
        {
            "birth_date": "2002-05-14",
            "sex": "male",
            "residence_status": {"kind": "duldung", "paragraph": "60a"},
            "benefits": "asylblg",
            "lives_in_state_facility": False,
            "security_exclusion": False,
            "german_level": "A1",
            "municipality_ags": near.locations.first().gemeinde.ags,
        }
    )
    matches = rank_offers(
        offers_for_matching(tenant=world.tenant),
        facts,
        on=ON,
        categories=["sprache"],
        gemeinde_ags=facts.municipality_ags,
    )
    order = [m.offer.key for m in matches]
    assert order[:2] == ["near", "cat"]  # eligible: category fit first
    by_key = {m.offer.key: m for m in matches}
    assert by_key["near"].status is Status.ELIGIBLE and by_key["near"].distance == 0
    assert by_key["b2"].status is Status.NOT_ELIGIBLE  # A1 < B1
    assert by_key["frauen"].status is Status.NOT_ELIGIBLE and by_key["frauen"].women_only_conflict
    assert by_key["u21"].status is Status.NOT_ELIGIBLE
    assert any(
        "wird am" in (r.hint_de or "") or "Alter" in r.message_de for r in by_key["u21"].failed
    )
    assert {other_cat.key, too_hard.key, women.key, young.key} <= set(order)


def test_missing_facts_are_unknown_never_eligible(world: World) -> None:
    rules = _target_group_rules(world)
    make_offer(world.tenant, make_provider(world.tenant), key="k", rule_set=rules)
    matches = rank_offers(offers_for_matching(tenant=world.tenant), Facts.from_dict({}), on=ON)
    assert [m.status for m in matches] == [Status.UNKNOWN]
    assert matches[0].unknown


def test_matching_page_shows_groups_and_reasons(world: World) -> None:
    rules = _target_group_rules(world)
    vhs = make_provider(world.tenant)
    make_offer(world.tenant, vhs, key="open", title="Offener Kurs", rule_set=rules)
    make_offer(world.tenant, vhs, key="u21", title="Kurs unter 21", max_age=20)
    client = login(Client(), world.users["case_worker"])
    url = reverse("offers:offer_matching", args=[world.tenant.public_id])
    assert client.get(url).status_code == 200
    params = {
        "reference_date": "2026-11-26",
        "birth_date": "2001-03-14",
        "sex": "female",
        "residence_status": "gestattung",
        "benefits": "asylblg",
        "lives_in_state_facility": "no",
        "security_exclusion": "no",
        "german_level": "A2",
    }
    page = client.get(url, params)
    html = page.content.decode()
    assert [m.offer.key for m in page.context["groups"]["eligible"]] == ["open"]
    assert "Kurs unter 21" not in html  # not shown unless asked
    page = client.get(url, {**params, "show_ineligible": "on"})
    assert "Kurs unter 21" in page.content.decode()
    bad = client.get(url, {**params, "birth_date": "14.03.2001x"})
    assert "gültiges Datum" in bad.content.decode()
    assert bad.context["groups"] is None

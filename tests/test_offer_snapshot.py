"""The per-process snapshot of a tenant's open offers (teilhabe/offers/snapshot.py).

Whatever changes in the directory must be visible on the next read; an unchanged directory
costs one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from teilhabe.offers import snapshot
from teilhabe.offers.models import Category, Offer, OfferLocation, OfferSchedule
from teilhabe.offers.services import offer_update
from teilhabe.territory.models import Territory

from .conftest import World
from .factories import make_offer, make_provider, make_rule_set


@pytest.fixture
def directory(world: World) -> Any:
    snapshot.clear()
    provider = make_provider(world.tenant)
    offer = make_offer(world.tenant, provider, key="kurs", title="Deutschkurs")
    return provider, offer


def _titles(world: World) -> list[str]:
    return sorted(o.title for o in snapshot.open_offers(world.tenant))


def test_unchanged_directory_is_read_with_one_query(
    world: World, directory: Any, django_assert_num_queries: Any
) -> None:
    first = snapshot.open_offers(world.tenant)
    with django_assert_num_queries(1):
        again = snapshot.open_offers(world.tenant)
    assert again is first  # the same loaded objects


def test_edit_through_the_service_is_seen(world: World, directory: Any) -> None:
    _provider, offer = directory
    assert _titles(world) == ["Deutschkurs"]
    offer_update(
        actor=world.users["coordination"],
        offer=offer,
        data={"title": "Deutschkurs B1"},
        version=offer.version,
    )
    assert _titles(world) == ["Deutschkurs B1"]


def test_new_ended_and_deleted_offers_are_seen(world: World, directory: Any) -> None:
    provider, offer = directory
    snapshot.open_offers(world.tenant)
    make_offer(world.tenant, provider, key="neu", title="Bewerbungstraining")
    assert _titles(world) == ["Bewerbungstraining", "Deutschkurs"]
    Offer.objects.filter(pk=offer.pk).update(status="beendet", version=F("version") + 1)
    assert _titles(world) == ["Bewerbungstraining"]
    Offer.objects.filter(key="neu").delete()
    assert _titles(world) == []


def test_seat_counter_written_with_update_is_seen(world: World, directory: Any) -> None:
    _provider, offer = directory
    Offer.objects.filter(pk=offer.pk).update(capacity=10, seats_taken=3)
    snapshot.clear()
    assert snapshot.open_offers(world.tenant)[0].seats_taken == 3
    # the referral service writes seats with update() and version + 1 (no auto_now)
    Offer.objects.filter(pk=offer.pk).update(seats_taken=4, version=F("version") + 1)
    assert snapshot.open_offers(world.tenant)[0].seats_taken == 4


def test_provider_category_rules_locations_and_times_are_seen(world: World, directory: Any) -> None:
    provider, offer = directory
    snapshot.open_offers(world.tenant)
    provider.is_active = False
    provider.save()
    assert snapshot.open_offers(world.tenant)[0].provider.is_active is False

    category = Category.objects.get(pk=offer.category_id)
    category.name = "Deutsch lernen"
    category.save()
    assert snapshot.open_offers(world.tenant)[0].category.name == "Deutsch lernen"

    rules = make_rule_set(world.tenant, min_age=18, max_age=27)
    Offer.objects.filter(pk=offer.pk).update(rule_set=rules, version=F("version") + 1)
    assert snapshot.open_offers(world.tenant)[0].rule_set_id == rules.pk
    rules.name = "Junge Erwachsene"
    rules.save()
    assert snapshot.open_offers(world.tenant)[0].rule_set.name == "Junge Erwachsene"

    gemeinde = Territory.objects.filter(parent=world.tenant.territory).first()
    places = len(snapshot.open_offers(world.tenant)[0].locations.all())
    times = len(snapshot.open_offers(world.tenant)[0].schedules.all())
    OfferLocation.objects.create(
        tenant=world.tenant, offer=offer, street="Berliner Str. 1", city="Gütersloh",
        postcode="33330", gemeinde=gemeinde,
    )  # fmt: skip
    assert len(snapshot.open_offers(world.tenant)[0].locations.all()) == places + 1
    OfferSchedule.objects.create(
        tenant=world.tenant, offer=offer, weekday=1, opens_at="09:00", closes_at="12:00"
    )
    assert len(snapshot.open_offers(world.tenant)[0].schedules.all()) == times + 1


def test_tenants_do_not_share_a_snapshot(world: World, directory: Any) -> None:
    other_provider = make_provider(world.other_tenant, name="Anderer Träger")
    make_offer(world.other_tenant, other_provider, key="anders", title="Anderswo")
    assert _titles(world) == ["Deutschkurs"]
    assert sorted(o.title for o in snapshot.open_offers(world.other_tenant)) == ["Anderswo"]


def test_public_finder_shows_an_edit_at_once(world: World, directory: Any) -> None:
    _provider, offer = directory
    url = reverse("finder:finder", kwargs={"tenant": world.tenant.public_id, "lang": "de"})
    query = "?alter=22&status=unbekannt"
    assert "Deutschkurs" in Client().get(url + query).content.decode()
    offer_update(
        actor=world.users["coordination"],
        offer=offer,
        data={"title": "Sprachcafé"},
        version=offer.version,
    )
    page = Client().get(url + query).content.decode()
    assert "Sprachcafé" in page and "Deutschkurs" not in page

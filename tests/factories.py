"""Small builders for directory data used across tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from teilhabe.accounts.models import Tenant, User
from teilhabe.offers.models import Category, Offer, OfferLocation, OfferSchedule, Provider
from teilhabe.territory.models import Territory


def make_provider(
    tenant: Tenant, name: str = "VHS Gütersloh", staff: list[User] | None = None, **kw: Any
) -> Provider:
    provider = Provider.objects.create(tenant=tenant, name=name, kind=kw.pop("kind", "vhs"), **kw)
    if staff:
        provider.staff.set(staff)
    return provider


def make_offer(tenant: Tenant, provider: Provider, key: str = "sprachkurs-a1", **kw: Any) -> Offer:
    defaults: dict[str, Any] = {
        "title": "Deutschkurs A1 für junge Erwachsene",
        "description": "Grundlagen der deutschen Sprache, vormittags.",
        "category": Category.objects.get(code=kw.pop("category_code", "sprache")),
        "status": "aktiv",
        "start_date": date(2026, 9, 1),
        "end_date": date(2027, 2, 28),
        "capacity": 16,
        "seats_taken": 10,
        "languages": ["de", "ar"],
    }
    defaults.update(kw)
    offer = Offer.objects.create(tenant=tenant, provider=provider, key=key, **defaults)
    gemeinde = Territory.objects.filter(parent=tenant.territory).first() or tenant.territory
    OfferLocation.objects.create(
        tenant=tenant,
        offer=offer,
        street="Hohenzollernstraße 43",
        postcode="33330",
        city=gemeinde.name,
        gemeinde=gemeinde,
    )
    from datetime import time

    OfferSchedule.objects.create(
        tenant=tenant, offer=offer, weekday=1, opens_at=time(9), closes_at=time(12, 30)
    )
    return offer


def make_rule_set(tenant: Tenant, code: str = "gt.jung", **criteria_params: Any) -> Any:
    """A tenant rule set: age 18–27 (or ``min_age``/``max_age`` given)."""
    from teilhabe.offers.models import RuleSetRecord

    params = {"min_age": 18, "max_age": 27, "allow_exception": False} | criteria_params
    definition = {
        "code": code,
        "name_de": "Junge Erwachsene",
        "name_en": "Young adults",
        "valid_from": "2020-01-01",
        "valid_until": None,
        "criteria": [
            {
                "code": "age",
                "kind": "age_range",
                "required": True,
                "params": params,
                "source": "Test",
            }
        ],
    }
    return RuleSetRecord.objects.create(
        tenant=tenant, code=code, name="Junge Erwachsene", definition=definition
    )

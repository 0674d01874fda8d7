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

"""Reads of the offer directory, scoped to the actor's tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.models import AuditEvent

from .models import (
    Category,
    FundingSource,
    Offer,
    OfferLocation,
    OfferSchedule,
    Provider,
    RuleSetRecord,
)


@dataclass(frozen=True)
class OfferFilter:
    query: str = ""
    category: str = ""  # category code
    provider: str = ""  # provider public id
    gemeinde: str = ""  # AGS
    status: str = ""
    funding: str = ""  # funding code
    free_seats: bool = False
    language: str = ""


def _base(tenant: Tenant) -> QuerySet[Offer]:
    return Offer.objects.filter(tenant=tenant).select_related("category", "provider", "funding")


def offer_list_for(*, actor: Any, tenant: Tenant, filters: OfferFilter) -> QuerySet[Offer]:
    policy.require(actor, Cap.OFFERS_VIEW, tenant)
    qs = _base(tenant).prefetch_related(
        Prefetch(
            "locations",
            queryset=OfferLocation.objects.select_related("gemeinde").order_by("id"),
        )
    )
    f = filters
    if f.query:
        for word in f.query.split()[:6]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(provider__name__icontains=word)
                | Q(key__iexact=word)
                | Q(locations__city__icontains=word)
            )
        qs = qs.distinct()
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.provider:
        qs = qs.filter(provider__public_id=f.provider)
    if f.gemeinde:
        qs = qs.filter(locations__gemeinde__ags=f.gemeinde).distinct()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.funding:
        qs = qs.filter(funding__code=f.funding)
    if f.free_seats:
        qs = qs.filter(Q(capacity__isnull=True) | Q(capacity__gt=F("seats_taken")))
    if f.language:
        qs = qs.filter(languages__icontains=f'"{f.language}"')
    return qs.order_by("title", "id")


def offer_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Offer | None:
    policy.require(actor, Cap.OFFERS_VIEW, tenant)
    return (
        _base(tenant)
        .select_related("rule_set")
        .prefetch_related(
            Prefetch("locations", queryset=OfferLocation.objects.select_related("gemeinde")),
            Prefetch("schedules", queryset=OfferSchedule.objects.order_by("weekday", "opens_at")),
        )
        .filter(public_id=public_id)
        .first()
    )


def offer_history_for(*, actor: Any, offer: Offer) -> QuerySet[AuditEvent]:
    policy.require(actor, Cap.OFFERS_VIEW, offer)
    return AuditEvent.objects.filter(
        tenant=offer.tenant, object_type="offers.offer", object_id=str(offer.public_id)
    ).order_by("-created_at", "-id")


def provider_list_for(*, actor: Any, tenant: Tenant) -> QuerySet[Provider]:
    policy.require(actor, Cap.OFFERS_VIEW, tenant)
    from django.db.models import Count

    return (
        Provider.objects.filter(tenant=tenant)
        .annotate(offer_count=Count("offers"))
        .order_by("name")
    )


def provider_choices_for(*, actor: Any, tenant: Tenant) -> list[tuple[str, str]]:
    """(public id, name) of the tenant's providers, for filter dropdowns."""
    policy.require(actor, Cap.OFFERS_VIEW, tenant)
    return [
        (str(pid), name)
        for pid, name in Provider.objects.filter(tenant=tenant)
        .order_by("name")
        .values_list("public_id", "name")
    ]


def provider_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Provider | None:
    policy.require(actor, Cap.OFFERS_VIEW, tenant)
    return Provider.objects.filter(tenant=tenant, public_id=public_id).first()


def providers_editable_by(*, actor: Any, tenant: Tenant) -> QuerySet[Provider]:
    """Providers for whose offers the actor may create offers."""
    qs = Provider.objects.filter(tenant=tenant, is_active=True).order_by("name")
    if policy.can(actor, Cap.PROVIDERS_MANAGE, tenant):
        return qs
    if policy.can(actor, Cap.OFFERS_CREATE, tenant):
        return qs.filter(pk__in=policy.provider_ids(actor))
    return qs.none()


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "name")


def funding_sources() -> QuerySet[FundingSource]:
    return FundingSource.objects.select_related("rule_set").order_by("sort_order", "code")


def offers_for_matching(*, tenant: Tenant) -> QuerySet[Offer]:
    """Offers open to people (active or planned) with what matching needs, in few queries."""
    return (
        Offer.objects.filter(tenant=tenant, status__in=["aktiv", "geplant"])
        .select_related("category", "provider", "funding", "rule_set")
        .prefetch_related(
            Prefetch("locations", queryset=OfferLocation.objects.select_related("gemeinde")),
            Prefetch("schedules", queryset=OfferSchedule.objects.order_by("weekday", "opens_at")),
        )
    )


def offer_matches_for(
    *,
    actor: Any,
    tenant: Tenant,
    facts: Any,
    on: Any,
    categories: list[str],
    gemeinde_ags: str | None,
) -> list[Any]:
    """Ranked matches of the tenant's offers for typed-in facts (staff page)."""
    from teilhabe.territory.models import gemeinden_in

    from .matching import rank_offers
    from .snapshot import open_offers

    policy.require(actor, Cap.MATCHING_USE, tenant)
    area = [g.ags for g in gemeinden_in(tenant.territory)]
    return rank_offers(
        open_offers(tenant),
        facts,
        on=on,
        categories=categories,
        gemeinde_ags=gemeinde_ags,
        area_ags=area,
    )


def rule_set_list_for(*, actor: Any, tenant: Tenant) -> QuerySet[RuleSetRecord]:
    """The programme's rule sets and the tenant's own."""
    policy.require(actor, Cap.OFFERS_VIEW, tenant)
    return RuleSetRecord.objects.filter(Q(tenant=tenant) | Q(tenant__isnull=True)).order_by(
        "tenant_id", "code"
    )


def rule_set_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> RuleSetRecord | None:
    return rule_set_list_for(actor=actor, tenant=tenant).filter(public_id=public_id).first()

"""Matching a person's facts and needs against the tenant's offers.

Eligible offers first, then by category fit, language level, distance (same Gemeinde,
same Kreis, elsewhere), start date and free seats.  Every offer's effective rules are its
rule set plus what the offer itself says (age limits, required German level, women only).
Used by the "passende Angebote" page, the public offer finder and later by referrals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from teilhabe.eligibility import (
    CriterionResult,
    Decision,
    Facts,
    RuleSet,
    Status,
    evaluate,
    rule_set_from_dict,
)
from teilhabe.eligibility.results import CriterionStatus

from .models import CEFR_LEVELS, Offer, RuleSetRecord

_CACHE: dict[tuple[str, Any], RuleSet] = {}
_STATUS_ORDER = {Status.ELIGIBLE: 0, Status.UNKNOWN: 1, Status.NOT_ELIGIBLE: 2}


def _record_rule_set(record: RuleSetRecord) -> RuleSet:
    key = (f"r{record.pk}", record.updated_at)
    cached = _CACHE.get(key)
    if cached is None:
        cached = rule_set_from_dict(record.definition)
        _CACHE[key] = cached
    return cached


def offer_rule_set(offer: Offer) -> RuleSet:
    """The offer's rule set extended by the offer's own limits (cached per version)."""
    key = (
        f"o{offer.pk}",
        (
            offer.version,
            offer.rule_set_id,
            offer.rule_set.updated_at if offer.rule_set_id and offer.rule_set else None,
        ),
    )
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    base = _record_rule_set(offer.rule_set) if offer.rule_set_id and offer.rule_set else None
    definition: dict[str, Any] = (
        base.to_dict()
        if base is not None
        else {
            "code": f"offer.{offer.key}",
            "name_de": offer.title,
            "name_en": offer.title,
            "valid_from": "2000-01-01",
            "valid_until": None,
            "criteria": [],
        }
    )
    criteria = list(definition.get("criteria", []))
    kinds = {c.get("kind") for c in criteria}
    if (offer.min_age is not None or offer.max_age is not None) and "age_range" not in kinds:
        params: dict[str, Any] = {"allow_exception": False}
        if offer.min_age is not None:
            params["min_age"] = offer.min_age
        if offer.max_age is not None:
            params["max_age"] = offer.max_age
        criteria.append(
            {
                "code": "offer_age",
                "kind": "age_range",
                "required": True,
                "params": params,
                "source": "Angebot",
            }
        )
    if (
        offer.language_level_required
        and offer.language_level_required != "A0"
        and ("min_language_level" not in kinds)
    ):
        criteria.append(
            {
                "code": "offer_language",
                "kind": "min_language_level",
                "required": True,
                "params": {"min_level": offer.language_level_required},
                "source": "Angebot",
            }
        )
    definition["criteria"] = criteria
    definition["code"] = definition.get("code") or f"offer.{offer.key}"
    rule_set = rule_set_from_dict(definition)
    _CACHE[key] = rule_set
    return rule_set


@dataclass
class Match:
    offer: Offer
    decision: Decision
    category_fit: bool
    language_fit: bool | None
    distance: int  # 0 same Gemeinde, 1 same Kreis, 2 elsewhere, 3 unknown
    women_only_conflict: bool = False
    score: tuple[Any, ...] = field(default=())

    @property
    def status(self) -> Status:
        if self.women_only_conflict:
            return Status.NOT_ELIGIBLE
        return self.decision.status

    @property
    def eligible(self) -> bool:
        return self.status is Status.ELIGIBLE

    @property
    def failed(self) -> list[CriterionResult]:
        return [
            r for r in self.decision.results if r.required and r.status is CriterionStatus.FAILED
        ]

    @property
    def unknown(self) -> list[CriterionResult]:
        return [
            r for r in self.decision.results if r.required and r.status is CriterionStatus.UNKNOWN
        ]

    @property
    def passed(self) -> list[CriterionResult]:
        return [r for r in self.decision.results if r.status is CriterionStatus.PASSED]


def _level_index(level: str | None) -> int | None:
    if not level or level not in CEFR_LEVELS:
        return None
    return CEFR_LEVELS.index(level)


def rank_offers(
    offers: Iterable[Offer],
    facts: Facts,
    *,
    on: date,
    categories: Sequence[str] = (),
    gemeinde_ags: str | None = None,
    area_ags: Sequence[str] = (),
) -> list[Match]:
    """Evaluate and sort; the offers should come with category, rule_set and locations."""
    wanted = set(categories)
    person_level = _level_index(facts.german_level)
    kreis_prefix = gemeinde_ags[:5] if gemeinde_ags else None
    context = {"area_ags": list(area_ags)} if area_ags else None
    matches: list[Match] = []
    for offer in offers:
        decision = evaluate(facts, offer_rule_set(offer), on, context)
        required = _level_index(offer.language_level_required)
        language_fit = (
            None if person_level is None or required is None else (person_level >= required)
        )
        distance = 3
        if gemeinde_ags:
            agss = [loc.gemeinde.ags for loc in offer.locations.all()]
            if gemeinde_ags in agss:
                distance = 0
            elif kreis_prefix and any(a.startswith(kreis_prefix) for a in agss):
                distance = 1
            elif agss:
                distance = 2
        women_conflict = offer.women_only and facts.sex is not None and facts.sex != "female"
        m = Match(
            offer=offer,
            decision=decision,
            category_fit=not wanted or offer.category.code in wanted,
            language_fit=language_fit,
            distance=distance,
            women_only_conflict=women_conflict,
        )
        start = offer.start_date or on
        upcoming = (start - on).days if start >= on else 0
        free = offer.free_seats
        m.score = (
            _STATUS_ORDER[m.status],
            0 if m.category_fit else 1,
            0 if language_fit in (True, None) else 1,
            distance,
            upcoming,
            0 if free is None or free > 0 else 1,
            offer.title,
        )
        matches.append(m)
    matches.sort(key=lambda m: m.score)
    return matches

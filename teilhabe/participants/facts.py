"""A participant's facts for the eligibility engine, and the re-check after a change.

``participant_facts`` turns the stored record (with its dated status and benefit history)
into the engine's :class:`~teilhabe.eligibility.Facts` on a reference date.
``eligibility_snapshot`` evaluates those facts against the Förderbausteine (funding sources
with a rule set) and the offers of the participant's open referrals; ``snapshot_changes``
compares two snapshots and explains, in the engine's German words, what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from teilhabe.eligibility import (
    Facts,
    FactsError,
    ResidenceStatus,
    RuleSet,
    Status,
    evaluate,
    rule_set_from_dict,
)
from teilhabe.territory.models import ags8

from .models import BenefitEntry, Participant, ReferralStatus, ResidenceStatusEntry

OPEN_REFERRAL_STATUSES = (
    ReferralStatus.SUGGESTED,
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.WAITING_LIST,
)

STATUS_DE = {
    Status.ELIGIBLE: "förderfähig",
    Status.NOT_ELIGIBLE: "nicht förderfähig",
    Status.UNKNOWN: "nicht abschließend prüfbar",
}
CRITERION_DE = {"passed": "erfüllt", "failed": "nicht erfüllt", "unknown": "nicht prüfbar"}

_RULE_CACHE: dict[tuple[int, Any], RuleSet] = {}


def _valid_on(entry: Any, on: date) -> bool:
    return bool(entry.valid_from <= on and (entry.valid_until is None or entry.valid_until >= on))


def status_on(statuses: list[ResidenceStatusEntry], on: date) -> ResidenceStatusEntry | None:
    """The status entry valid on ``on``; else the latest one that began before (expired)."""
    ordered = sorted(statuses, key=lambda e: e.valid_from, reverse=True)
    for entry in ordered:
        if _valid_on(entry, on):
            return entry
    for entry in ordered:
        if entry.valid_from <= on:
            return entry
    return None


def benefit_on(benefits: list[BenefitEntry], on: date) -> BenefitEntry | None:
    for entry in sorted(benefits, key=lambda e: e.valid_from, reverse=True):
        if _valid_on(entry, on):
            return entry
    return None


def _residence_status(entry: ResidenceStatusEntry | None) -> ResidenceStatus | None:
    if entry is None:
        return None
    data: dict[str, Any] = {"kind": entry.kind, "since": entry.valid_from.isoformat()}
    if entry.paragraph:
        data["paragraph"] = entry.paragraph
    if entry.valid_until:
        data["until"] = entry.valid_until.isoformat()
    try:
        status = ResidenceStatus.from_dict(data)
    except FactsError:
        return None  # a kind no longer in the editable catalogue counts as not recorded
    return None if status.kind == "unknown" else status


def participant_facts(participant: Participant, on: date) -> Facts:
    """The engine's facts about ``participant`` on ``on`` (statuses and benefits are read
    from the prefetched histories where present)."""
    statuses = list(participant.statuses.all())
    benefits = list(participant.benefits.all())
    status_entry = status_on(statuses, on)
    benefit = benefit_on(benefits, on)
    nationality = None
    for code in participant.nationalities or []:
        if isinstance(code, str) and len(code) == 2 and code.isalpha():
            nationality = code.upper()
            break
    work_permission = participant.work_permission or None
    if (
        work_permission is None
        and status_entry is not None
        and _valid_on(status_entry, on)
        and status_entry.work_permitted is True
    ):
        work_permission = "permitted"
    municipality = ags8(participant.gemeinde.ags) if participant.gemeinde is not None else None
    if municipality is not None and len(municipality) == 5:
        municipality += "000"  # a kreisfreie Stadt: its 8-digit Gemeindeschlüssel
    if municipality is not None and (len(municipality) != 8 or not municipality.isdigit()):
        municipality = None
    return Facts(
        birth_date=participant.birth_date,
        sex=participant.sex if participant.sex in ("female", "male", "diverse") else None,
        nationality=nationality,
        residence_status=_residence_status(status_entry),
        entry_date=participant.entry_date,
        first_asylum_request=participant.first_asylum_request,
        asylum_decision=participant.asylum_decision or None,
        benefits=benefit.kind if benefit is not None else None,
        work_permission=work_permission,
        integration_course_access=participant.integration_course_access,
        lives_in_state_facility=participant.lives_in_state_facility,
        security_exclusion=participant.security_exclusion,
        municipality_ags=municipality,
        german_level=participant.german_level or None,
    )


# --- what the participant is checked against -----------------------------------------------


@dataclass(frozen=True)
class Target:
    """A rule set to check: a Förderbaustein or the offer of an open referral."""

    key: str
    label: str
    rule_set: RuleSet


def _record_rule_set(record: Any) -> RuleSet | None:
    key = (record.pk, record.updated_at)
    cached = _RULE_CACHE.get(key)
    if cached is None:
        try:
            cached = rule_set_from_dict(record.definition)
        except ValueError:
            return None
        _RULE_CACHE[key] = cached
    return cached


def funding_targets() -> list[Target]:
    """Every Förderbaustein (funding source) that carries a rule set."""
    from teilhabe.offers.models import FundingSource

    targets = []
    for source in FundingSource.objects.filter(rule_set__isnull=False).select_related("rule_set"):
        rule_set = _record_rule_set(source.rule_set)
        if rule_set is not None:
            targets.append(Target(f"funding:{source.code}", source.name, rule_set))
    return targets


def referral_targets(participant: Participant) -> list[Target]:
    """The offers of the participant's open referrals (suggested, sent, accepted, waiting)."""
    from teilhabe.offers.matching import offer_rule_set

    from .models import Referral

    referrals = (
        Referral.objects.filter(
            tenant_id=participant.tenant_id,
            case__participant=participant,
            status__in=OPEN_REFERRAL_STATUSES,
        )
        .select_related("offer", "offer__rule_set")
        .order_by("pk")
    )
    targets = []
    seen: set[int] = set()
    for referral in referrals:
        if referral.offer_id in seen:
            continue
        seen.add(referral.offer_id)
        try:
            rule_set = offer_rule_set(referral.offer)
        except ValueError:
            continue
        targets.append(Target(f"offer:{referral.offer.public_id}", referral.offer.title, rule_set))
    return targets


def area_context(participant: Participant) -> dict[str, Any]:
    from teilhabe.territory.models import gemeinden_in

    territory = participant.tenant.territory
    return {"area_ags": [g.ags for g in gemeinden_in(territory)] or [territory.ags]}


# --- snapshots and their comparison --------------------------------------------------------


@dataclass
class Evaluation:
    """The result for one target: overall status and per-criterion status and message."""

    label: str
    status: Status
    criteria: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (st, text)


Snapshot = dict[str, Evaluation]


def eligibility_snapshot(
    participant: Participant,
    on: date,
    targets: list[Target] | None = None,
    context: dict[str, Any] | None = None,
) -> Snapshot:
    facts = participant_facts(participant, on)
    if targets is None:
        targets = funding_targets() + referral_targets(participant)
    if context is None:
        context = area_context(participant)
    snapshot: Snapshot = {}
    for target in targets:
        decision = evaluate(facts, target.rule_set, on, context)
        snapshot[target.key] = Evaluation(
            label=target.label,
            status=decision.status,
            criteria={
                r.criterion_code: (r.status.value, r.message_de)
                for r in decision.results
                if r.required
            },
        )
    return snapshot


def snapshot_changes(before: Snapshot, after: Snapshot) -> list[str]:
    """German lines: every target whose overall result changed, then every criterion whose
    result changed (grouped, with the engine's explanation and the targets it concerns)."""
    lines: list[str] = []
    for key, now in after.items():
        old = before.get(key)
        if old is not None and old.status != now.status:
            lines.append(
                f"{now.label}: bisher {STATUS_DE[old.status]}, jetzt {STATUS_DE[now.status]}."
            )
    grouped: dict[str, list[str]] = {}
    for key, now in after.items():
        old = before.get(key)
        if old is None:
            continue
        for code, (status, text) in now.criteria.items():
            previous = old.criteria.get(code)
            if previous is None or previous[0] == status:
                continue
            line = f"{text} (bisher {CRITERION_DE[previous[0]]}, jetzt {CRITERION_DE[status]})"
            grouped.setdefault(line, []).append(now.label)
    for line, labels in grouped.items():
        lines.append(f"{line} – betrifft: {', '.join(labels)}.")
    return lines

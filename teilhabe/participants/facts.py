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

from .models import Participant, ReferralStatus

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


def status_on(statuses: list[Any], on: date) -> Any:
    """The status entry valid on ``on``; else the latest one that began before (expired)."""
    ordered = sorted(statuses, key=lambda e: e.valid_from, reverse=True)
    for entry in ordered:
        if _valid_on(entry, on):
            return entry
    for entry in ordered:
        if entry.valid_from <= on:
            return entry
    return None


def benefit_on(benefits: list[Any], on: date) -> Any:
    for entry in sorted(benefits, key=lambda e: e.valid_from, reverse=True):
        if _valid_on(entry, on):
            return entry
    return None


def _residence_status(entry: Any) -> ResidenceStatus | None:
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


def participant_facts(
    participant: Participant,
    on: date,
    *,
    statuses: list[Any] | None = None,
    benefits: list[Any] | None = None,
) -> Facts:
    """The engine's facts about ``participant`` on ``on`` (statuses and benefits: the
    histories if already read — entries or rows with the same names —, else read from the
    prefetched histories where present)."""
    if statuses is None:
        statuses = list(participant.statuses.all())
    if benefits is None:
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


def _rule_set_of_record(pk: int, updated_at: Any) -> RuleSet | None:
    """The rule set of a stored record by id and version; the definition is read (and
    parsed) only when this process has not seen that version yet."""
    cached = _RULE_CACHE.get((pk, updated_at))
    if cached is not None:
        return cached
    from teilhabe.offers.models import RuleSetRecord

    record = RuleSetRecord.objects.filter(pk=pk).first()
    return _record_rule_set(record) if record is not None else None


def _funding_query() -> Any:
    from teilhabe.offers.models import FundingSource

    return (
        FundingSource.objects.filter(rule_set__isnull=False)
        .order_by("sort_order", "code")
        .values("code", "name", "rule_set_id", "rule_set__updated_at")
    )


def funding_targets() -> list[Target]:
    """Every Förderbaustein (funding source) that carries a rule set (one small read; the
    rule sets themselves are kept per process and version)."""
    from .selectors import prepared_rows

    targets = []
    for source in prepared_rows("facts.funding", _funding_query):
        rule_set = _rule_set_of_record(source["rule_set_id"], source["rule_set__updated_at"])
        if rule_set is not None:
            targets.append(Target(f"funding:{source['code']}", source["name"], rule_set))
    return targets


# offer rule sets by (offer id, offer version, rule set id, rule set version)
_OFFER_RULES: dict[tuple[Any, ...], RuleSet] = {}


def _referrals_query(pid: int, tid: int) -> Any:
    from .models import Referral

    return (
        Referral.objects.filter(
            tenant_id=tid, case__participant_id=pid, status__in=OPEN_REFERRAL_STATUSES
        )
        .order_by("pk")
        .values(
            "offer_id",
            "offer__version",
            "offer__rule_set_id",
            "offer__rule_set__updated_at",
            "offer__public_id",
            "offer__title",
        )
    )


def referral_targets(participant: Participant) -> list[Target]:
    """The offers of the participant's open referrals (suggested, sent, accepted, waiting);
    an offer's rule set is built once per process and version of the offer and its rule
    set (``offer_rule_set`` is keyed the same way)."""
    from teilhabe.offers.matching import offer_rule_set
    from teilhabe.offers.models import Offer

    from .selectors import prepared_rows

    rows = prepared_rows("facts.referrals", _referrals_query, participant.pk, participant.tenant_id)
    targets = []
    seen: set[int] = set()
    for row in rows:
        if row["offer_id"] in seen:
            continue
        seen.add(row["offer_id"])
        key = (
            row["offer_id"],
            row["offer__version"],
            row["offer__rule_set_id"],
            row["offer__rule_set__updated_at"],
        )
        rule_set = _OFFER_RULES.get(key)
        if rule_set is None:
            offer = Offer.objects.select_related("rule_set").get(pk=row["offer_id"])
            try:
                rule_set = offer_rule_set(offer)
            except ValueError:
                continue
            _OFFER_RULES[key] = rule_set
        targets.append(Target(f"offer:{row['offer__public_id']}", row["offer__title"], rule_set))
    return targets


def _area_query(territory_id: int) -> Any:
    from django.db.models import Q

    from teilhabe.territory.models import Territory

    return (
        Territory.objects.filter(Q(pk=territory_id) | Q(parent_id=territory_id))
        .order_by("name")
        .values("id", "ags", "kind", "parent_id")
    )


def area_context(participant: Participant) -> dict[str, Any]:
    """``area_ags``: the Gemeinden of the tenant's territory (``gemeinden_in``), else the
    territory itself; one read of the territory and its children."""
    from teilhabe.territory.models import TerritoryKind

    from .selectors import prepared_rows

    territory_id = participant.tenant.territory_id
    rows = prepared_rows("facts.area", _area_query, territory_id)
    own = next(r for r in rows if r["id"] == territory_id)
    if own["kind"] in (TerritoryKind.KREIS, TerritoryKind.STAEDTEREGION):
        area = [r["ags"] for r in rows if r["parent_id"] == territory_id]
    else:
        area = [own["ags"]]
    return {"area_ags": area or [own["ags"]]}


# --- snapshots and their comparison --------------------------------------------------------


@dataclass
class Evaluation:
    """The result for one target: overall status and per-criterion status and message."""

    label: str
    status: Status
    criteria: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (st, text)

    @property
    def reasons(self) -> list[tuple[str, str]]:
        """(status, text) of every criterion that did not pass, in the rule set's order."""
        return [pair for pair in self.criteria.values() if pair[0] != "passed"]


Snapshot = dict[str, Evaluation]


def eligibility_snapshot(
    participant: Participant,
    on: date,
    targets: list[Target] | None = None,
    context: dict[str, Any] | None = None,
    *,
    statuses: list[Any] | None = None,
    benefits: list[Any] | None = None,
) -> Snapshot:
    facts = participant_facts(participant, on, statuses=statuses, benefits=benefits)
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

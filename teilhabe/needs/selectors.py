"""Reads of the needs area: target-group figures, the gap matrix with drill-down and trend,
recorded gaps and planned measures, chains of measures without progress.

Aggregates leave this module with small numbers coarsened ("< 5") by the templates through
``Matrix``/``coarse``; participant-level reads (drill-down, survey, chains list) are limited to
the actor's own case-work participants through the participants policy and are audited.
Every function runs a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record
from teilhabe.eligibility import Facts, ResidenceStatus, Status, evaluate
from teilhabe.offers.matching import offer_rule_set
from teilhabe.offers.models import Category, Offer, OfferLocation, OfferStatus, RuleSetRecord
from teilhabe.participants.models import (
    EducationEpisode,
    EpisodeKind,
    Goal,
    GoalStatus,
    Outcome,
    OutcomeKind,
    Participant,
    Referral,
    ReferralStatus,
    ResidenceStatusEntry,
)
from teilhabe.territory.models import Territory, gemeinden_in

from .matrix import Matrix, SupplyBlock, build_matrix
from .models import (
    Gap,
    MeasureStatus,
    NeedEstimate,
    NeedsSettings,
    ParticipantNeed,
    PlannedMeasure,
    TargetGroupRow,
    TargetGroupSnapshot,
)
from .standard import (
    REPRESENTATIVES,
    AgeBand,
    SexCode,
    StatusGroup,
    status_group_for,
)

DIMENSIONS = ("status", "age", "sex", "gemeinde")
OUTSIDE = "outside"  # age column: outside 18–27 / no Gemeinde / not stated
OPEN_GOALS = (GoalStatus.OPEN, GoalStatus.IN_PROGRESS)
# Measures whose capacity counts towards closing a gap.
COUNTING_MEASURES = (
    MeasureStatus.PLANNED,
    MeasureStatus.APPLIED,
    MeasureStatus.APPROVED,
    MeasureStatus.RUNNING,
)
# Maßnahmekarrieren: what counts as a measure and what as progress.
MEASURE_EPISODES = (EpisodeKind.MEASURE, EpisodeKind.COURSE)
PROGRESS_EPISODES = (EpisodeKind.TRAINING, EpisodeKind.WORK)
PROGRESS_OUTCOMES = (
    OutcomeKind.TRAINING,
    OutcomeKind.WORK_REGULAR,
    OutcomeKind.WORK_MARGINAL,
    OutcomeKind.SCHOOL,
    OutcomeKind.STUDIES,
    OutcomeKind.LANGUAGE,
)
REFERRAL_WINDOW_DAYS = 365
ESTIMATE_WINDOW_DAYS = 365
TREND_POINTS = 6


# --- Stichtage and target-group figures -----------------------------------------------------


def snapshots_for(*, actor: Any, tenant: Tenant) -> list[TargetGroupSnapshot]:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    return list(TargetGroupSnapshot.objects.filter(tenant=tenant).order_by("reference_date"))


def snapshot_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> TargetGroupSnapshot | None:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    return TargetGroupSnapshot.objects.filter(tenant=tenant, public_id=public_id).first()


@dataclass
class Breakdown:
    title: str
    rows: list[tuple[str, int]]


def snapshot_breakdowns(snapshot: TargetGroupSnapshot) -> list[Breakdown]:
    """The figures of one Stichtag by every dimension of the standard (5 queries)."""
    qs = TargetGroupRow.objects.filter(tenant_id=snapshot.tenant_id, snapshot=snapshot)

    def by(field_name: str, labels: dict[str, str]) -> list[tuple[str, int]]:
        counts = {
            r[field_name]: r["n"] for r in qs.values(field_name).annotate(n=Sum("count")).order_by()
        }
        ordered = [(str(labels[k]), counts.get(k, 0)) for k in labels]
        ordered += [(str(k), v) for k, v in counts.items() if k not in labels]
        return ordered

    gemeinde_counts = list(
        qs.values("gemeinde__name").annotate(n=Sum("count")).order_by("gemeinde__name")
    )
    return [
        Breakdown(
            pgettext("needs", "Status group"),
            by("status_group", {str(k): str(v) for k, v in StatusGroup.choices}),
        ),
        Breakdown(
            pgettext("needs", "Age band"),
            by("age_band", {str(k): str(v) for k, v in AgeBand.choices}),
        ),
        Breakdown(_("Sex"), by("sex", {str(k): str(v) for k, v in SexCode.choices})),
        Breakdown(pgettext("needs", "Nationality"), by("nationality", nationality_labels())),
        Breakdown(_("Benefit system"), by("benefit", benefit_labels())),
        Breakdown(
            _("Municipality"),
            [
                (r["gemeinde__name"] or pgettext("needs", "not assigned"), r["n"])
                for r in gemeinde_counts
            ],
        ),
    ]


def nationality_labels() -> dict[str, str]:
    from .standard import NATIONALITY_CODES, NATIONALITY_OTHER, NATIONALITY_UNKNOWN

    labels = {code: code for code in NATIONALITY_CODES}
    labels[NATIONALITY_OTHER] = pgettext("needs", "other")
    labels[NATIONALITY_UNKNOWN] = pgettext("needs", "not stated")
    return labels


def benefit_labels() -> dict[str, str]:
    from .standard import BenefitCode

    return {str(k): str(v) for k, v in BenefitCode.choices}


@dataclass
class Development:
    """Target-group size over the Stichtage, overall and per status group."""

    dates: list[date]
    totals: list[int]
    groups: list[tuple[str, list[int]]]


def development_for(*, actor: Any, tenant: Tenant) -> Development:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    snapshots = list(TargetGroupSnapshot.objects.filter(tenant=tenant).order_by("reference_date"))
    per_group: dict[tuple[int, str], int] = {
        (r["snapshot_id"], r["status_group"]): r["n"]
        for r in TargetGroupRow.objects.filter(tenant=tenant)
        .values("snapshot_id", "status_group")
        .annotate(n=Sum("count"))
        .order_by()
    }
    groups = [
        (str(label), [per_group.get((s.pk, code), 0) for s in snapshots])
        for code, label in StatusGroup.choices
    ]
    return Development(
        dates=[s.reference_date for s in snapshots],
        totals=[s.total for s in snapshots],
        groups=[g for g in groups if any(g[1])],
    )


def latest_reference_date(tenant: Tenant) -> date | None:
    return (
        TargetGroupSnapshot.objects.filter(tenant=tenant)
        .order_by("-reference_date")
        .values_list("reference_date", flat=True)
        .first()
    )


# --- The gap matrix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """What decides whether an offer admits a person (besides its category)."""

    rule_set_id: int | None
    min_age: int | None
    max_age: int | None
    language: str
    women_only: bool


def _age_birth(on: date, age: int) -> date:
    """A birth date that makes a person exactly ``age`` (and half a year) on ``on``."""
    year = on.year - age - 1
    return date(year, on.month, min(on.day, 28)) + timedelta(days=183)


_BAND_AGE = {AgeBand.A18_20: 19, AgeBand.A21_24: 22, AgeBand.A25_27: 26}


def representative_facts(dimension: str, column: Hashable, on: date) -> Facts:
    """The fact set that stands for a column when the engine checks an offer's rules.

    Status view: the group's residence status (kind, paragraph, benefit system, work
    permission, integration-course access), age 22, not in a state facility.  Other views
    set only their own characteristic; rules about the rest stay "unknown" – and an offer is
    counted as accessible unless a required rule excludes the person.
    """
    if dimension == "status":
        rep = REPRESENTATIVES.get(str(column))
        if rep is None:
            return Facts(birth_date=_age_birth(on, 22))
        status = None
        if rep.kind != "unknown":
            status = ResidenceStatus(
                kind=rep.kind,
                paragraph=rep.paragraph,
                since=on - timedelta(days=365),
                until=None,
            )
        return Facts(
            birth_date=_age_birth(on, 22),
            residence_status=status,
            entry_date=on - timedelta(days=2 * 365),
            first_asylum_request=on - timedelta(days=2 * 365),
            benefits=rep.benefits,
            work_permission=rep.work_permission,
            integration_course_access=rep.integration_course_access,
            lives_in_state_facility=False,
            security_exclusion=False,
        )
    if dimension == "age":
        age = _BAND_AGE.get(str(column))  # type: ignore[call-overload]
        return Facts(birth_date=_age_birth(on, age if age is not None else 30))
    if dimension == "sex":
        sex = str(column)
        return Facts(sex=sex if sex in ("female", "male", "diverse") else None)
    if dimension == "gemeinde" and isinstance(column, str) and len(column) == 8:
        return Facts(municipality_ags=column)
    return Facts()


_RULE_CACHE: dict[tuple[Any, ...], Any] = {}


def _signature_rule_set(sig: Signature, record: RuleSetRecord | None) -> Any:
    """The effective rule set of every offer with this signature (offers.matching logic)."""
    stand_in = Offer(
        key=f"sig-{sig.rule_set_id}-{sig.min_age}-{sig.max_age}-{sig.language}",
        title="Angebot",
        rule_set=record,
        min_age=sig.min_age,
        max_age=sig.max_age,
        language_level_required=sig.language,
    )
    # offer_rule_set caches by the offer's pk; a stand-in gets a stable key of its own
    stand_in.pk = f"needs:{sig.rule_set_id}:{sig.min_age}:{sig.max_age}:{sig.language}"
    return offer_rule_set(stand_in)


def admits_for(
    signatures: Iterable[Signature],
    records: dict[int, RuleSetRecord],
    dimension: str,
    columns: list[tuple[Hashable, str]],
    on: date,
    area_ags: list[str],
) -> dict[tuple[Hashable, Hashable], bool]:
    """Evaluate every (signature × column) once: does no required rule exclude the column?"""
    context = {"area_ags": area_ags} if area_ags else None
    facts = {col: representative_facts(dimension, _ags_of(col), on) for col, _l in columns}
    result: dict[tuple[Hashable, Hashable], bool] = {}
    for sig in signatures:
        record = records.get(sig.rule_set_id) if sig.rule_set_id else None
        rule_set = _signature_rule_set(sig, record)
        for col, _label in columns:
            if sig.women_only and dimension == "sex" and col in ("male", "diverse"):
                result[(sig, col)] = False
                continue
            decision = evaluate(facts[col], rule_set, on, context)
            result[(sig, col)] = decision.status is not Status.NOT_ELIGIBLE
    return result


_AGS_BY_PK: dict[int, str] = {}


def _ags_of(column: Hashable) -> Hashable:
    if isinstance(column, int) and column in _AGS_BY_PK:
        return _AGS_BY_PK[column].ljust(8, "0")
    return column


def columns_for(dimension: str, tenant: Tenant) -> list[tuple[Hashable, str]]:
    if dimension == "age":
        return [
            *((str(k), str(v)) for k, v in AgeBand.choices),
            (OUTSIDE, pgettext("needs", "outside 18–27")),
        ]
    if dimension == "sex":
        return [(str(k), str(v)) for k, v in SexCode.choices]
    if dimension == "gemeinde":
        cols: list[tuple[Hashable, str]] = []
        for t in gemeinden_in(tenant.territory):
            _AGS_BY_PK[t.pk] = t.ags
            cols.append((t.pk, t.name))
        cols.append((OUTSIDE, pgettext("needs", "no municipality")))
        return cols
    return [(str(k), str(v)) for k, v in StatusGroup.choices]


def _status_key(participant_path: str, on: date) -> Subquery:
    """kind|paragraph of the residence status valid on ``on`` (correlated subquery)."""
    return Subquery(
        ResidenceStatusEntry.objects.filter(
            participant=OuterRef(participant_path), valid_from__lte=on
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from", "-id")
        .annotate(key=Concat("kind", Value("|"), "paragraph", output_field=CharField()))
        .values("key")[:1],
        output_field=CharField(),
    )


def _birth_limit(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _dimension_expr(dimension: str, participant_path: str, on: date) -> Any:
    prefix = f"{participant_path}__" if participant_path else ""
    if dimension == "age":
        birth = f"{prefix}birth_date"
        return Case(
            When(**{f"{birth}__lte": _birth_limit(on, 28)}, then=Value(OUTSIDE)),
            When(**{f"{birth}__lte": _birth_limit(on, 25)}, then=Value(AgeBand.A25_27.value)),
            When(**{f"{birth}__lte": _birth_limit(on, 21)}, then=Value(AgeBand.A21_24.value)),
            When(**{f"{birth}__lte": _birth_limit(on, 18)}, then=Value(AgeBand.A18_20.value)),
            default=Value(OUTSIDE),
            output_field=CharField(),
        )
    if dimension == "sex":
        return F(f"{prefix}sex")
    if dimension == "gemeinde":
        return Coalesce(F(f"{prefix}gemeinde_id"), Value(0), output_field=IntegerField())
    return _status_key(participant_path or "pk", on)


def _column_of(dimension: str, raw: Any) -> Hashable:
    if dimension == "status":
        if not raw:
            return StatusGroup.SONSTIGE.value
        kind, _sep, paragraph = str(raw).partition("|")
        return str(status_group_for(kind, paragraph))
    if dimension == "gemeinde":
        return OUTSIDE if not raw else int(raw)
    if dimension == "sex":
        return str(raw or SexCode.UNKNOWN)
    return str(raw)


def _listed_participants(prefix: str) -> Q:
    return Q(
        **{
            f"{prefix}merged_into__isnull": True,
            f"{prefix}anonymised_at__isnull": True,
            f"{prefix}restricted": False,
        }
    )


def _open_goals(tenant: Tenant, on: date, gemeinde: Territory | None) -> QuerySet[Goal]:
    end = _day_end(on)
    qs = Goal.objects.filter(tenant=tenant, created_at__lt=end).filter(
        Q(status__in=OPEN_GOALS) | Q(updated_at__gte=end)
    )
    qs = qs.filter(_listed_participants("case__participant__"))
    if gemeinde is not None:
        qs = qs.filter(case__participant__gemeinde=gemeinde)
    return qs


def _open_needs(tenant: Tenant, on: date, gemeinde: Territory | None) -> QuerySet[ParticipantNeed]:
    qs = ParticipantNeed.objects.filter(tenant=tenant, recorded_on__lte=on).filter(
        Q(met_on__isnull=True) | Q(met_on__gt=on)
    )
    qs = qs.filter(_listed_participants("participant__"))
    if gemeinde is not None:
        qs = qs.filter(participant__gemeinde=gemeinde)
    return qs


def _day_end(on: date) -> Any:
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time(0)))


def demand_from_casework(
    tenant: Tenant, on: date, dimension: str, gemeinde: Territory | None
) -> dict[tuple[Hashable, Hashable], int]:
    """People with an open goal or an open recorded need per (category, column): two grouped
    queries; a person with both in one category is counted once."""
    result: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    goals = (
        _open_goals(tenant, on, gemeinde)
        .annotate(col=_dimension_expr(dimension, "case__participant", on))
        .values("category_id", "col")
        .annotate(n=Count("case__participant", distinct=True))
        .order_by()
    )
    for r in goals:
        result[(r["category_id"], _column_of(dimension, r["col"]))] += r["n"]
    # the same person with an open goal in the same category: counted with the goals already
    end = _day_end(on)
    # (``category_id + 0`` keeps SQLite's planner on the case index: by category it would
    # scan thousands of goals per need)
    goal_same = (
        Goal.objects.filter(case__participant_id=OuterRef("participant_id"), created_at__lt=end)
        .annotate(category_key=F("category_id") + 0)
        .filter(category_key=OuterRef("category_id"))
        .filter(Q(status__in=OPEN_GOALS) | Q(updated_at__gte=end))
    )
    needs = (
        _open_needs(tenant, on, gemeinde)
        .exclude(Exists(goal_same))
        .annotate(col=_dimension_expr(dimension, "participant", on))
        .values("category_id", "col")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    )
    for r in needs:
        result[(r["category_id"], _column_of(dimension, r["col"]))] += r["n"]
    return dict(result)


def demand_from_estimates(
    tenant: Tenant, on: date, dimension: str, gemeinde: Territory | None
) -> dict[tuple[Hashable, Hashable], int]:
    """Survey results and expert estimates: per (category, status group, age band, Gemeinde)
    the most recent one in the year up to the Stichtag (one query)."""
    qs = NeedEstimate.objects.filter(
        tenant=tenant,
        reference_date__lte=on,
        reference_date__gt=on - timedelta(days=ESTIMATE_WINDOW_DAYS),
    )
    if gemeinde is not None:
        qs = qs.filter(gemeinde=gemeinde)
    latest: dict[tuple[Any, ...], tuple[date, int]] = {}
    for est in qs.values(
        "category_id", "status_group", "age_band", "gemeinde_id", "reference_date", "count"
    ).order_by("reference_date", "id"):
        key = (est["category_id"], est["status_group"], est["age_band"], est["gemeinde_id"])
        latest[key] = (est["reference_date"], est["count"])
    result: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for (category, group, band, gem), (_d, n) in latest.items():
        if dimension == "status":
            col: Hashable = group
        elif dimension == "age":
            col = band or OUTSIDE
        elif dimension == "gemeinde":
            col = gem or OUTSIDE
        else:
            col = SexCode.UNKNOWN.value
        result[(category, col)] += n
    return dict(result)


def _active_offers(tenant: Tenant, on: date) -> QuerySet[Offer]:
    """Offers running on the Stichtag: active today; for an earlier date also offers that
    have ended or pause since, if their dates cover it."""
    qs = Offer.objects.filter(tenant=tenant)
    if on >= timezone.localdate():
        qs = qs.filter(status=OfferStatus.ACTIVE)
    else:
        qs = qs.filter(status__in=[OfferStatus.ACTIVE, OfferStatus.PAUSED, OfferStatus.ENDED])
    return qs.filter(Q(start_date__isnull=True) | Q(start_date__lte=on)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


def supply_blocks(
    tenant: Tenant, on: date, dimension: str, gemeinde: Territory | None
) -> list[SupplyBlock]:
    """Offers grouped by category and eligibility signature (one grouped query)."""
    qs = _active_offers(tenant, on)
    if gemeinde is not None:
        qs = qs.filter(
            pk__in=OfferLocation.objects.filter(tenant=tenant, gemeinde=gemeinde).values("offer_id")
        )
    keys = [
        "category_id",
        "rule_set_id",
        "min_age",
        "max_age",
        "language_level_required",
        "women_only",
    ]
    if dimension == "gemeinde":
        keys.append("locations__gemeinde_id")
    rows = (
        qs.values(*keys)
        .annotate(
            n=Count("id", distinct=True),
            seats=Coalesce(Sum("capacity"), 0),
            unlimited=Count("id", filter=Q(capacity__isnull=True), distinct=True),
            waiting=Coalesce(Sum("waiting_list"), 0),
        )
        .order_by()
    )
    blocks = []
    for r in rows:
        column: Hashable | None = None
        if dimension == "gemeinde":
            column = r["locations__gemeinde_id"] or OUTSIDE
        blocks.append(
            SupplyBlock(
                category=r["category_id"],
                signature=Signature(
                    r["rule_set_id"],
                    r["min_age"],
                    r["max_age"],
                    r["language_level_required"] or "",
                    bool(r["women_only"]),
                ),
                offers=r["n"],
                seats=int(r["seats"] or 0),
                unlimited=r["unlimited"],
                waiting_list=int(r["waiting"] or 0),
                column=column,
            )
        )
    return blocks


def referral_counts(
    tenant: Tenant, on: date, dimension: str, gemeinde: Territory | None
) -> tuple[dict[tuple[Hashable, Hashable], int], dict[tuple[Hashable, Hashable], int]]:
    """People on a waiting list / declined per (category, column) in the year before the
    Stichtag (one grouped query)."""
    end = _day_end(on)
    qs = Referral.objects.filter(
        tenant=tenant,
        created_at__lt=end,
        created_at__gte=end - timedelta(days=REFERRAL_WINDOW_DAYS),
        status__in=[ReferralStatus.WAITING_LIST, ReferralStatus.DECLINED],
    ).filter(_listed_participants("case__participant__"))
    if gemeinde is not None:
        qs = qs.filter(case__participant__gemeinde=gemeinde)
    waiting: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    declined: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for r in (
        qs.annotate(col=_dimension_expr(dimension, "case__participant", on))
        .values("offer__category_id", "status", "col")
        .annotate(n=Count("case__participant", distinct=True))
        .order_by()
    ):
        target = waiting if r["status"] == ReferralStatus.WAITING_LIST else declined
        target[(r["offer__category_id"], _column_of(dimension, r["col"]))] += r["n"]
    return dict(waiting), dict(declined)


def target_group_by_column(
    tenant: Tenant, on: date, dimension: str, gemeinde: Territory | None
) -> dict[Hashable, int]:
    """People of the target group per column from the figures of the latest Stichtag up to
    ``on`` (one query)."""
    snap = (
        TargetGroupSnapshot.objects.filter(tenant=tenant, reference_date__lte=on)
        .order_by("-reference_date")
        .values("pk")[:1]
    )
    qs = TargetGroupRow.objects.filter(tenant=tenant, snapshot__in=Subquery(snap))
    if gemeinde is not None:
        qs = qs.filter(gemeinde=gemeinde)
    field_name = {
        "status": "status_group",
        "age": "age_band",
        "sex": "sex",
        "gemeinde": "gemeinde_id",
    }[dimension]
    result: dict[Hashable, int] = {}
    for r in qs.values(field_name).annotate(n=Sum("count")).order_by():
        key = r[field_name]
        result[key if key is not None else OUTSIDE] = r["n"]
    return result


def categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("sort_order", "name"))


@dataclass
class MatrixPage:
    on: date
    dimension: str
    gemeinde: Territory | None
    matrix: Matrix
    categories: list[Category] = field(default_factory=list)


def compute_matrix(
    tenant: Tenant, on: date, dimension: str = "status", gemeinde: Territory | None = None
) -> MatrixPage:
    """The gap matrix (no access check: callers check ``needs.view``).  Queries: categories,
    columns (Gemeinde view), demand (2), estimates, supply, rule sets, referrals, target
    group – independent of the number of offers and people."""
    if dimension not in DIMENSIONS:
        dimension = "status"
    cats = categories()
    columns = columns_for(dimension, tenant)
    if gemeinde is not None and dimension == "gemeinde":
        columns = [(k, label) for k, label in columns if k == gemeinde.pk]
    demand: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for source in (
        demand_from_casework(tenant, on, dimension, gemeinde),
        demand_from_estimates(tenant, on, dimension, gemeinde),
    ):
        for key, n in source.items():
            demand[key] += n
    blocks = supply_blocks(tenant, on, dimension, gemeinde)
    signatures: set[Signature] = {b.signature for b in blocks}  # type: ignore[misc]
    record_ids = {s.rule_set_id for s in signatures if s.rule_set_id}
    records = (
        {r.pk: r for r in RuleSetRecord.objects.filter(pk__in=record_ids)} if record_ids else {}
    )
    area = [tenant.territory.ags]
    admits = admits_for(signatures, records, dimension, columns, on, area)
    waiting, declined = referral_counts(tenant, on, dimension, gemeinde)
    matrix = build_matrix(
        rows=[(c.pk, c.name) for c in cats],
        columns=columns,
        demand=demand,
        supply=blocks,
        admits=admits,
        waiting=waiting,
        declined=declined,
        target_group=target_group_by_column(tenant, on, dimension, gemeinde),
    )
    return MatrixPage(on=on, dimension=dimension, gemeinde=gemeinde, matrix=matrix, categories=cats)


def matrix_for(
    *,
    actor: Any,
    tenant: Tenant,
    on: date,
    dimension: str = "status",
    gemeinde: Territory | None = None,
) -> MatrixPage:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    return compute_matrix(tenant, on, dimension, gemeinde)


def trend_dates(tenant: Tenant, on: date) -> list[date]:
    """The Stichtage of the trend: up to six recorded ones up to ``on``, and ``on`` itself."""
    dates = list(
        TargetGroupSnapshot.objects.filter(tenant=tenant, reference_date__lte=on)
        .order_by("-reference_date")
        .values_list("reference_date", flat=True)[:TREND_POINTS]
    )
    if on not in dates:
        dates = [on, *dates[: TREND_POINTS - 1]]
    return sorted(dates)


@dataclass
class TrendRow:
    label: str
    key: Any
    points: list[Any]  # per date: the row total Cell
    gaps: list[int]


def trend_for(
    *, actor: Any, tenant: Tenant, on: date, gemeinde: Territory | None = None
) -> tuple[list[date], list[TrendRow], list[MatrixPage]]:
    """The status-group matrix at up to six Stichtage (a fixed number of queries each)."""
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    dates = trend_dates(tenant, on)
    pages = [compute_matrix(tenant, d, "status", gemeinde) for d in dates]
    rows: list[TrendRow] = []
    if pages:
        for i, row in enumerate(pages[0].matrix.rows):
            rows.append(
                TrendRow(
                    label=row.label,
                    key=row.key,
                    points=[p.matrix.rows[i].total for p in pages],
                    gaps=[p.matrix.rows[i].gaps for p in pages],
                )
            )
    return dates, rows, pages


# --- Drill-down ----------------------------------------------------------------------------------


def cell_offers_for(
    *,
    actor: Any,
    tenant: Tenant,
    on: date,
    category: Category,
    dimension: str,
    column: Hashable,
    gemeinde: Territory | None = None,
) -> tuple[list[Offer], list[Offer]]:
    """The offers of the category on the Stichtag: (accessible to the column, not)."""
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    qs = _active_offers(tenant, on).filter(category=category)
    if gemeinde is not None:
        qs = qs.filter(
            pk__in=OfferLocation.objects.filter(tenant=tenant, gemeinde=gemeinde).values("offer_id")
        )
    if dimension == "gemeinde" and column != OUTSIDE:
        qs = qs.filter(
            pk__in=OfferLocation.objects.filter(tenant=tenant, gemeinde_id=int(column)).values(  # type: ignore[call-overload]
                "offer_id"
            )
        )
    offers = list(qs.select_related("provider", "rule_set").order_by("title"))
    sigs = {
        o.pk: Signature(
            o.rule_set_id, o.min_age, o.max_age, o.language_level_required or "", o.women_only
        )
        for o in offers
    }
    records = {o.rule_set_id: o.rule_set for o in offers if o.rule_set_id and o.rule_set}
    if dimension == "gemeinde":
        columns_for("gemeinde", tenant)
    admits = admits_for(
        set(sigs.values()),
        records,
        dimension,
        [(column, "")],
        on,
        [tenant.territory.ags],
    )
    yes = [o for o in offers if admits.get((sigs[o.pk], column), False)]
    no = [o for o in offers if not admits.get((sigs[o.pk], column), False)]
    return yes, no


@dataclass
class NeedPerson:
    participant: Participant
    via_goal: bool
    urgency: int | None


def cell_participants_for(
    *,
    actor: Any,
    tenant: Tenant,
    on: date,
    category: Category,
    dimension: str,
    column: Hashable,
    gemeinde: Territory | None = None,
) -> list[NeedPerson] | None:
    """The actor's own case-work participants with an open need in the cell (None: the actor
    is no case worker).  Audited as a read of a participant list."""
    if not policy.can(actor, Cap.CASE_MANAGE, tenant):
        return None
    from teilhabe.participants.selectors import case_worker_participant_ids

    own = case_worker_participant_ids(actor, tenant.pk)
    goals = (
        _open_goals(tenant, on, gemeinde)
        .filter(category=category, case__participant_id__in=own)
        .annotate(col=_dimension_expr(dimension, "case__participant", on))
        .values_list("case__participant_id", "col", "urgency")
    )
    needs = (
        _open_needs(tenant, on, gemeinde)
        .filter(category=category, participant_id__in=own)
        .annotate(col=_dimension_expr(dimension, "participant", on))
        .values_list("participant_id", "col", "urgency")
    )
    found: dict[int, tuple[bool, int]] = {}
    for pid, col, urgency in goals:
        if _column_of(dimension, col) == column:
            prev = found.get(pid)
            found[pid] = (True, min(urgency, prev[1]) if prev else urgency)
    for pid, col, urgency in needs:
        if _column_of(dimension, col) == column:
            prev = found.get(pid)
            found[pid] = (prev[0] if prev else False, min(urgency, prev[1]) if prev else urgency)
    people = {p.pk: p for p in Participant.objects.filter(tenant=tenant, pk__in=list(found))}
    result = [
        NeedPerson(people[pid], via, urg) for pid, (via, urg) in found.items() if pid in people
    ]
    result.sort(key=lambda n: (n.urgency or 9, n.participant.last_name, n.participant.first_name))
    audit_record(
        actor=actor,
        action="needs.participants_listed",
        tenant=tenant,
        details={
            "category": category.code,
            "dimension": dimension,
            "column": str(column),
            "participants": [str(n.participant.public_id) for n in result],
        },
    )
    return result


# --- Gaps and measures ---------------------------------------------------------------------------


def gap_list_for(*, actor: Any, tenant: Tenant, status: str = "") -> list[Gap]:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    qs = Gap.objects.filter(tenant=tenant).select_related("category", "gemeinde")
    if status:
        qs = qs.filter(status=status)
    gaps: list[Gap] = list(
        qs.annotate(
            planned_seats=Coalesce(
                Sum("measures__capacity", filter=Q(measures__status__in=COUNTING_MEASURES)), 0
            ),
            measure_count=Count("measures"),
        ).order_by("status", "-reference_date", "category__sort_order")
    )
    return gaps


def gap_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Gap | None:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    return (
        Gap.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("category", "gemeinde", "created_by")
        .first()
    )


@dataclass
class GapCoverage:
    demand: int
    seats_offers: int
    seats_planned: int
    planned_share: int | None  # percent of the demand the measures cover

    @property
    def remaining(self) -> int:
        return max(self.demand - self.seats_offers - self.seats_planned, 0)


def gap_coverage(gap: Gap, measures: list[PlannedMeasure], current: Any | None) -> GapCoverage:
    """How much of the gap the planned measures cover: their seats against the demand (the
    current figure of the cell if the Stichtag still has one, else the recorded one)."""
    demand = current.demand if current is not None else gap.demand
    offers = current.seats if current is not None else gap.supply
    planned = sum(m.capacity or 0 for m in measures if m.status in COUNTING_MEASURES)
    share = None
    if demand > 0:
        share = min(round(100 * planned / demand), 999)
    return GapCoverage(demand, offers, planned, share)


def measure_list_for(*, actor: Any, tenant: Tenant) -> list[PlannedMeasure]:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    return list(
        PlannedMeasure.objects.filter(tenant=tenant)
        .select_related("gap", "gap__category", "provider", "funding", "offer", "category")
        .order_by("status", "-created_at")
    )


def measure_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> PlannedMeasure | None:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    return (
        PlannedMeasure.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("gap", "provider", "funding", "offer", "category")
        .first()
    )


# --- Maßnahmekarrieren ---------------------------------------------------------------------------


def needs_settings(tenant: Tenant) -> NeedsSettings:
    found = NeedsSettings.objects.filter(tenant=tenant).first()
    return found or NeedsSettings(tenant=tenant)


def _months_back(on: date, months: int) -> date:
    from teilhabe.participants.selectors_cases import add_months

    return add_months(on, -months)


def chains_queryset(tenant: Tenant, on: date, settings_: NeedsSettings) -> QuerySet[Participant]:
    """Participants with at least N measures started in the window and no progress in it:
    no episode marked as progress, no training or work, no progress outcome."""
    start = _months_back(on, settings_.chain_window_months)
    measures = Count(
        "episodes",
        filter=Q(
            episodes__kind__in=MEASURE_EPISODES,
            episodes__started_on__gte=start,
            episodes__started_on__lte=on,
        ),
        distinct=True,
    )
    progress_episode = EducationEpisode.objects.filter(
        participant=OuterRef("pk"), started_on__lte=on
    ).filter(
        Q(progress=True, ended_on__gte=start)
        | Q(progress=True, ended_on__isnull=True, started_on__gte=start)
        | Q(kind__in=PROGRESS_EPISODES) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    )
    progress_outcome = Outcome.objects.filter(
        case__participant=OuterRef("pk"),
        kind__in=PROGRESS_OUTCOMES,
        recorded_on__gte=start,
        recorded_on__lte=on,
    )
    return (
        Participant.objects.filter(tenant=tenant)
        .filter(_listed_participants(""))
        .annotate(measures=measures)
        .filter(measures__gte=settings_.chain_min_measures)
        .exclude(Exists(progress_episode))
        .exclude(Exists(progress_outcome))
    )


def chains_count_for(*, actor: Any, tenant: Tenant, on: date | None = None) -> int:
    """How many participants of the tenant run through measures without progress (counted,
    never listed, for the coordination and the alliance)."""
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    on = on or timezone.localdate()
    return chains_queryset(tenant, on, needs_settings(tenant)).count()


def chains_list_for(*, actor: Any, tenant: Tenant, on: date | None = None) -> list[Participant]:
    """The actor's own case-work participants in a chain of measures (case workers only)."""
    policy.require(actor, Cap.CASE_MANAGE, tenant)
    from teilhabe.participants.selectors import case_worker_participant_ids

    on = on or timezone.localdate()
    people = list(
        chains_queryset(tenant, on, needs_settings(tenant))
        .filter(pk__in=case_worker_participant_ids(actor, tenant.pk))
        .order_by("last_name", "first_name")
    )
    audit_record(
        actor=actor,
        action="needs.chains_listed",
        tenant=tenant,
        details={"participants": [str(p.public_id) for p in people]},
    )
    return people


# --- Needs survey ------------------------------------------------------------------------------


def survey_participant_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Participant | None:
    """The participant of a needs survey: only a case worker of the participant (None: 404;
    the read or the refused attempt is audited)."""
    participant = Participant.objects.filter(
        tenant=tenant, public_id=public_id, merged_into__isnull=True
    ).first()
    if participant is None or not policy.can(actor, Cap.PARTICIPANT_EDIT, participant):
        audit_record(
            actor=actor,
            action="security.participant_denied",
            tenant=tenant,
            details={"participant": str(public_id), "page": "needs_survey"},
        )
        return None
    audit_record(
        actor=actor, action="read", obj=participant, tenant=tenant, details={"page": "needs_survey"}
    )
    return participant


def participant_needs(participant: Participant) -> list[ParticipantNeed]:
    return list(
        ParticipantNeed.objects.filter(tenant_id=participant.tenant_id, participant=participant)
        .select_related("category")
        .order_by("met_on", "urgency", "category__sort_order")
    )


def open_goal_categories(participant: Participant) -> set[int]:
    return set(
        Goal.objects.filter(
            tenant_id=participant.tenant_id, case__participant=participant, status__in=OPEN_GOALS
        ).values_list("category_id", flat=True)
    )


def gemeinden_of(tenant: Tenant) -> list[Territory]:
    return list(gemeinden_in(tenant.territory))


# --- helpers of the pages ------------------------------------------------------------------------


def estimate_list_for(*, actor: Any, tenant: Tenant) -> list[NeedEstimate]:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    return list(
        NeedEstimate.objects.filter(tenant=tenant)
        .select_related("category", "gemeinde")
        .order_by("-reference_date", "category__sort_order", "status_group")[:500]
    )


def gaps_for_cell(
    *, actor: Any, tenant: Tenant, category: Category, dimension: str, column: Hashable
) -> list[Gap]:
    policy.require(actor, Cap.NEEDS_VIEW, tenant)
    qs = Gap.objects.filter(tenant=tenant, category=category)
    if dimension == "status":
        qs = qs.filter(status_group=column)
    elif dimension == "age":
        qs = qs.filter(age_band=column if column != OUTSIDE else "", status_group="")
    elif dimension == "sex":
        qs = qs.filter(sex=column, status_group="")
    elif dimension == "gemeinde":
        qs = qs.filter(
            gemeinde_id=None if column == OUTSIDE else int(column),  # type: ignore[call-overload]
            status_group="",
        )
    return list(qs.order_by("-reference_date"))


@dataclass
class GapDetail:
    measures: list[PlannedMeasure]
    coverage: GapCoverage
    current_on: date
    current: Any
    trend: list[tuple[date, Any]]
    column_label: str


def _gap_dimension(gap: Gap) -> tuple[str, Hashable]:
    if gap.status_group:
        return "status", gap.status_group
    if gap.age_band:
        return "age", gap.age_band
    if gap.sex:
        return "sex", gap.sex
    if gap.gemeinde_id:
        return "gemeinde", gap.gemeinde_id
    return "status", StatusGroup.SONSTIGE.value


def gap_detail_for(*, actor: Any, gap: Gap) -> GapDetail:
    """The gap with its measures, the coverage they bring, and the cell at every Stichtag of
    the trend (a fixed number of queries per Stichtag, at most six Stichtage)."""
    policy.require(actor, Cap.NEEDS_VIEW, gap.tenant)
    measures = list(
        PlannedMeasure.objects.filter(tenant=gap.tenant, gap=gap)
        .select_related("provider", "funding", "offer")
        .order_by("-created_at")
    )
    dimension, column = _gap_dimension(gap)
    today = timezone.localdate()
    latest = latest_reference_date(gap.tenant) or today
    current_on = max(latest, gap.reference_date)
    dates = sorted(set(trend_dates(gap.tenant, current_on)) | {gap.reference_date})[-TREND_POINTS:]
    trend: list[tuple[date, Any]] = []
    label = str(column)
    for d in dates:
        page = compute_matrix(gap.tenant, d, dimension, None)
        label = dict(page.matrix.columns).get(column, label)
        trend.append((d, page.matrix.cell(gap.category_id, column)))
    current = trend[-1][1] if trend else None
    return GapDetail(
        measures=measures,
        coverage=gap_coverage(gap, measures, current),
        current_on=dates[-1] if dates else current_on,
        current=current,
        trend=trend,
        column_label=label,
    )


def measure_form_options(tenant: Tenant) -> dict[str, Any]:
    from teilhabe.offers.models import FundingSource, Provider

    return {
        "categories": categories(),
        "providers": list(Provider.objects.filter(tenant=tenant, is_active=True).order_by("name")),
        "fundings": list(FundingSource.objects.order_by("sort_order", "code")),
        "offers": list(
            Offer.objects.filter(tenant=tenant)
            .exclude(status=OfferStatus.ENDED)
            .order_by("title")
            .only("public_id", "title")[:2000]
        ),
    }


def measure_initial_for_gap(gap: Gap) -> dict[str, Any]:
    dimension, column = _gap_dimension(gap)
    labels = dict(columns_for(dimension, gap.tenant))
    who = labels.get(column, "")
    return {
        "title": gap.title,
        "target_group": f"{gap.category.name}: {who}" if who else gap.category.name,
        "category": str(gap.category.public_id),
    }

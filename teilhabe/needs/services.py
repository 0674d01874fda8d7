"""Every write of the needs area.  Keyword-only, the acting user first, one transaction each:
check the policy, validate (German messages via the catalogue), write, ``audit_record``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record, changed_fields
from teilhabe.core.errors import ConflictError, DomainError
from teilhabe.participants.models import Participant

from .models import (
    Gap,
    GapStatus,
    NeedEstimate,
    ParticipantNeed,
    PlannedMeasure,
    TargetGroupRow,
    TargetGroupSnapshot,
)


@dataclass(frozen=True)
class FigureRow:
    """One validated breakdown cell of the target-group figures."""

    gemeinde_id: int | None
    status_group: str
    age_band: str
    sex: str
    nationality: str
    benefit: str
    count: int


def reference_date_error(on: date | None) -> str | None:
    if on is None:
        return _("Please enter the reference date.")
    if on > timezone.localdate():
        return _(
            "The reference date lies in the future; figures can only be recorded for today or "
            "earlier."
        )
    return None


def snapshot_save(
    *,
    actor: Any,
    tenant: Tenant,
    reference_date: date,
    rows: Iterable[FigureRow],
    source: str = "",
    note: str = "",
    replace: bool = False,
    origin: str = "form",
) -> TargetGroupSnapshot:
    """Record the figures of one Stichtag (all rows or none).  Rows with the same breakdown
    are added up; a Stichtag that already has figures is replaced only on request."""
    policy.require(actor, Cap.NEEDS_MANAGE, tenant)
    error = reference_date_error(reference_date)
    if error:
        raise DomainError(error)
    merged: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in rows:
        if r.count < 0:
            raise DomainError(_("Counts cannot be negative."))
        merged[(r.gemeinde_id, r.status_group, r.age_band, r.sex, r.nationality, r.benefit)] += (
            r.count
        )
    with transaction.atomic():
        existing = (
            TargetGroupSnapshot.objects.select_for_update()
            .filter(tenant=tenant, reference_date=reference_date)
            .first()
        )
        if existing is not None:
            if not replace:
                raise DomainError(
                    _(
                        "Figures for the reference date %(date)s already exist. Choose “replace” "
                        "to overwrite them."
                    )
                    % {"date": reference_date.strftime("%d.%m.%Y")}
                )
            old_total = existing.total
            existing.rows.all().delete()
            existing.delete()
        else:
            old_total = None
        snapshot = TargetGroupSnapshot.objects.create(
            tenant=tenant,
            reference_date=reference_date,
            source=source,
            note=note,
            total=sum(merged.values()),
            created_by=actor,
        )
        TargetGroupRow.objects.bulk_create(
            [
                TargetGroupRow(
                    tenant=tenant,
                    snapshot=snapshot,
                    gemeinde_id=key[0],
                    status_group=key[1],
                    age_band=key[2],
                    sex=key[3],
                    nationality=key[4],
                    benefit=key[5],
                    count=n,
                )
                for key, n in merged.items()
                if n > 0
            ]
        )
        audit_record(
            actor=actor,
            action="needs.figures_replaced" if old_total is not None else "create",
            obj=snapshot,
            tenant=tenant,
            details={
                "reference_date": reference_date.isoformat(),
                "total": snapshot.total,
                "rows": len(merged),
                "origin": origin,
                "previous_total": old_total,
            },
        )
    return snapshot


def snapshot_delete(*, actor: Any, snapshot: TargetGroupSnapshot) -> None:
    policy.require(actor, Cap.NEEDS_MANAGE, snapshot.tenant)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="delete",
            obj=snapshot,
            details={
                "reference_date": snapshot.reference_date.isoformat(),
                "total": snapshot.total,
            },
        )
        snapshot.rows.all().delete()
        snapshot.delete()


def estimate_create(*, actor: Any, tenant: Tenant, data: dict[str, Any]) -> NeedEstimate:
    policy.require(actor, Cap.NEEDS_MANAGE, tenant)
    error = reference_date_error(data.get("reference_date"))
    if error:
        raise DomainError(error)
    if int(data.get("count") or 0) < 0:
        raise DomainError(_("Counts cannot be negative."))
    with transaction.atomic():
        estimate = NeedEstimate.objects.create(tenant=tenant, created_by=actor, **data)
        audit_record(actor=actor, action="create", obj=estimate, tenant=tenant)
    return estimate


def estimate_delete(*, actor: Any, estimate: NeedEstimate) -> None:
    policy.require(actor, Cap.NEEDS_MANAGE, estimate.tenant)
    with transaction.atomic():
        audit_record(actor=actor, action="delete", obj=estimate)
        estimate.delete()


def gap_create(*, actor: Any, tenant: Tenant, data: dict[str, Any]) -> Gap:
    """Record a gap from a cell of the matrix (with the cell's figures at that moment)."""
    policy.require(actor, Cap.MEASURES_MANAGE, tenant)
    error = reference_date_error(data.get("reference_date"))
    if error:
        raise DomainError(error)
    with transaction.atomic():
        gap = Gap.objects.create(tenant=tenant, created_by=actor, **data)
        audit_record(actor=actor, action="create", obj=gap, tenant=tenant)
    return gap


def gap_set_status(*, actor: Any, gap: Gap, status: str) -> Gap:
    policy.require(actor, Cap.MEASURES_MANAGE, gap.tenant)
    if status not in GapStatus.values:
        raise DomainError(_("Unknown status."))
    with transaction.atomic():
        old = gap.status
        gap.status = status
        gap.closed_on = timezone.localdate() if status == GapStatus.CLOSED else None
        gap.save(update_fields=["status", "closed_on", "updated_at"])
        audit_record(actor=actor, action="update", obj=gap, changes={"status": [old, status]})
    return gap


MEASURE_FIELDS = [
    "title",
    "target_group",
    "description",
    "category",
    "provider",
    "funding",
    "funding_note",
    "capacity",
    "start",
    "responsible_organisation",
    "status",
    "offer",
]


def _check_measure_refs(tenant: Tenant, data: dict[str, Any]) -> None:
    for name in ("provider", "offer"):
        obj = data.get(name)
        if obj is not None and obj.tenant_id != tenant.pk:
            raise DomainError(_("The selected entry belongs to another tenant."))
    capacity = data.get("capacity")
    if capacity is not None and capacity < 1:
        raise DomainError(_("The capacity must be at least 1."))


def measure_create(
    *, actor: Any, tenant: Tenant, gap: Gap | None, data: dict[str, Any]
) -> PlannedMeasure:
    policy.require(actor, Cap.MEASURES_MANAGE, tenant)
    if gap is not None and gap.tenant_id != tenant.pk:
        raise DomainError(_("The selected entry belongs to another tenant."))
    _check_measure_refs(tenant, data)
    with transaction.atomic():
        measure = PlannedMeasure.objects.create(tenant=tenant, gap=gap, created_by=actor, **data)
        audit_record(
            actor=actor,
            action="create",
            obj=measure,
            tenant=tenant,
            details={"gap": str(gap.public_id) if gap else None},
        )
    return measure


def measure_update(
    *, actor: Any, measure: PlannedMeasure, data: dict[str, Any], version: int | None = None
) -> PlannedMeasure:
    policy.require(actor, Cap.MEASURES_MANAGE, measure.tenant)
    _check_measure_refs(measure.tenant, data)
    with transaction.atomic():
        current = PlannedMeasure.objects.select_for_update().get(pk=measure.pk)
        if version is not None and current.version != version:
            raise ConflictError(
                _(
                    "Somebody else changed this measure in the meantime. Please check the current "
                    "state and save again."
                )
            )
        changes = changed_fields(current, {k: v for k, v in data.items() if k in MEASURE_FIELDS})
        current.version += 1
        current.save()
        audit_record(actor=actor, action="update", obj=current, changes=changes)
    return current


# --- needs survey ------------------------------------------------------------------------------


def survey_save(
    *,
    actor: Any,
    participant: Participant,
    needs: dict[int, int],
    met: Iterable[int] = (),
    note: str = "",
) -> list[ParticipantNeed]:
    """Record the needs of one participant: category id -> urgency for new or changed open
    needs; ``met`` closes open needs of these categories today.  Case workers of the
    participant only; audited as a change of the participant's record."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    from teilhabe.participants.services_people import participant_ensure_writable

    participant_ensure_writable(participant)
    today = timezone.localdate()
    met_ids = set(met)
    with transaction.atomic():
        open_needs = {
            n.category_id: n
            for n in ParticipantNeed.objects.select_for_update().filter(
                tenant_id=participant.tenant_id, participant=participant, met_on__isnull=True
            )
        }
        created: list[ParticipantNeed] = []
        changes: dict[str, list[Any]] = {}
        for category_id, urgency in needs.items():
            if urgency not in (1, 2, 3):
                raise DomainError(_("Please choose the urgency."))
            existing = open_needs.get(category_id)
            if existing is not None:
                if existing.urgency != urgency:
                    changes[f"need.{category_id}.urgency"] = [existing.urgency, urgency]
                    existing.urgency = urgency
                    existing.save(update_fields=["urgency", "updated_at"])
                continue
            created.append(
                ParticipantNeed(
                    tenant_id=participant.tenant_id,
                    participant=participant,
                    category_id=category_id,
                    urgency=urgency,
                    recorded_on=today,
                    note=note[:300],
                    recorded_by=actor,
                )
            )
            changes[f"need.{category_id}"] = [None, urgency]
        ParticipantNeed.objects.bulk_create(created)
        for category_id in met_ids:
            existing = open_needs.get(category_id)
            if existing is not None and category_id not in needs:
                existing.met_on = today
                existing.save(update_fields=["met_on", "updated_at"])
                changes[f"need.{category_id}.met_on"] = [None, today.isoformat()]
        audit_record(
            actor=actor,
            action="update",
            obj=participant,
            changes=changes,
            details={"page": "needs_survey"},
        )
    return created

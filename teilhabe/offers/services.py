"""Every write to the offer directory: permission, validation, write, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record, changed_fields
from teilhabe.core.errors import ConflictError, DomainError

from .models import Offer, OfferLocation, OfferSchedule, Provider

OFFER_FIELDS = [
    "key",
    "title",
    "title_plain",
    "description",
    "description_plain",
    "translations",
    "category",
    "funding",
    "provider",
    "status",
    "start_date",
    "end_date",
    "teaching_hours",
    "schedule_note",
    "capacity",
    "seats_taken",
    "waiting_list",
    "languages",
    "language_level_required",
    "language_level_target",
    "min_age",
    "max_age",
    "cost",
    "cost_note",
    "travel_costs_reimbursed",
    "childcare_reimbursed",
    "women_only",
    "childcare_on_site",
    "wheelchair_accessible",
    "accessibility_note",
    "contact_name",
    "contact_email",
    "contact_phone",
    "rule_set",
    "eligibility_note",
]


def offer_validate(data: dict[str, Any]) -> dict[str, str]:
    """Rules that span fields; returns {field: German message}."""
    errors: dict[str, str] = {}
    start, end = data.get("start_date"), data.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["end_date"] = _("The end lies before the start.")
    capacity, taken = data.get("capacity"), data.get("seats_taken") or 0
    if capacity is not None and capacity < 0:
        errors["capacity"] = _("The number of seats cannot be negative.")
    if capacity is not None and taken > capacity:
        errors["seats_taken"] = _("More seats are taken than there are.")
    lo, hi = data.get("min_age"), data.get("max_age")
    if lo is not None and hi is not None and hi < lo:
        errors["max_age"] = _("The maximum age lies below the minimum age.")
    return errors


def _check_provider(actor: Any, tenant: Tenant, provider: Provider) -> None:
    if provider.tenant_id != tenant.pk:
        raise DomainError(_("The provider does not belong to this tenant."))
    if not policy.can(actor, Cap.OFFERS_EDIT, provider):
        raise DomainError(_("You may only maintain offers of your own organisation."))


def _replace_children(
    offer: Offer, locations: list[dict[str, Any]] | None, schedules: list[dict[str, Any]] | None
) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    if locations is not None:
        before = [str(x) for x in offer.locations.all()]
        offer.locations.all().delete()
        OfferLocation.objects.bulk_create(
            [OfferLocation(tenant=offer.tenant, offer=offer, **loc) for loc in locations]
        )
        after = [str(x) for x in offer.locations.all()]
        if before != after:
            changes["locations"] = [before, after]
    if schedules is not None:
        before = [str(x) for x in offer.schedules.all()]
        offer.schedules.all().delete()
        OfferSchedule.objects.bulk_create(
            [OfferSchedule(tenant=offer.tenant, offer=offer, **s) for s in schedules]
        )
        after = [str(x) for x in offer.schedules.all()]
        if before != after:
            changes["schedules"] = [before, after]
    return changes


@transaction.atomic
def offer_create(
    *,
    actor: Any,
    tenant: Tenant,
    data: dict[str, Any],
    locations: list[dict[str, Any]] | None = None,
    schedules: list[dict[str, Any]] | None = None,
) -> Offer:
    policy.require(actor, Cap.OFFERS_CREATE, tenant)
    _check_provider(actor, tenant, data["provider"])
    errors = offer_validate(data)
    if errors:
        raise DomainError(" ".join(errors.values()))
    if Offer.objects.filter(tenant=tenant, key=data["key"]).exists():
        raise DomainError(_("An offer with this number already exists."))
    offer = Offer(tenant=tenant, **{k: v for k, v in data.items() if k in OFFER_FIELDS})
    offer.save()
    _replace_children(offer, locations or [], schedules or [])
    audit_record(
        actor=actor,
        action="offer.create",
        obj=offer,
        changes={k: [None, getattr(offer, k)] for k in ("key", "title", "status")},
    )
    return offer


@transaction.atomic
def offer_update(
    *,
    actor: Any,
    offer: Offer,
    data: dict[str, Any],
    version: int | None = None,
    locations: list[dict[str, Any]] | None = None,
    schedules: list[dict[str, Any]] | None = None,
) -> Offer:
    """Change an offer; ``version`` guards against overwriting somebody else's change."""
    policy.require(actor, Cap.OFFERS_EDIT, offer)
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    if version is not None and locked.version != version:
        raise ConflictError(
            _("Somebody else has changed this offer in the meantime. Please reload and try again.")
        )
    if "provider" in data and data["provider"].pk != locked.provider_id:
        _check_provider(actor, offer.tenant, data["provider"])
    merged = {k: getattr(locked, k) for k in OFFER_FIELDS} | data
    errors = offer_validate(merged)
    if errors:
        raise DomainError(" ".join(errors.values()))
    if (
        data.get("key", locked.key) != locked.key
        and Offer.objects.filter(tenant=locked.tenant, key=data["key"]).exists()
    ):
        raise DomainError(_("An offer with this number already exists."))
    changes = changed_fields(locked, {k: v for k, v in data.items() if k in OFFER_FIELDS})
    changes |= _replace_children(locked, locations, schedules)
    if changes:
        locked.version += 1
        locked.save()
        audit_record(actor=actor, action="offer.update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def offer_duplicate(
    *,
    actor: Any,
    offer: Offer,
    key: str,
    start_date: date | None = None,
    end_date: date | None = None,
) -> Offer:
    """A new run of the same offer: copied with locations and times, status "geplant"."""
    policy.require(actor, Cap.OFFERS_EDIT, offer)
    if Offer.objects.filter(tenant=offer.tenant, key=key).exists():
        raise DomainError(_("An offer with this number already exists."))
    data = {k: getattr(offer, k) for k in OFFER_FIELDS}
    data.update(key=key, status="geplant", seats_taken=0, waiting_list=0)
    if start_date:
        data["start_date"] = start_date
    if end_date:
        data["end_date"] = end_date
    errors = offer_validate(data)
    if errors:
        raise DomainError(" ".join(errors.values()))
    copy = Offer(tenant=offer.tenant, **data)
    copy.save()
    _replace_children(
        copy,
        [
            {
                k: getattr(loc, k)
                for k in ("name", "street", "postcode", "city", "gemeinde", "latitude", "longitude")
            }
            for loc in offer.locations.all()
        ],
        [
            {"weekday": s.weekday, "opens_at": s.opens_at, "closes_at": s.closes_at}
            for s in offer.schedules.all()
        ],
    )
    audit_record(
        actor=actor,
        action="offer.duplicate",
        obj=copy,
        changes={"key": [None, key]},
        details={"source": str(offer.public_id)},
    )
    return copy


PROVIDER_FIELDS = [
    "name",
    "kind",
    "description",
    "website",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "contact_name",
    "is_active",
]


@transaction.atomic
def provider_save(
    *,
    actor: Any,
    tenant: Tenant,
    data: dict[str, Any],
    provider: Provider | None = None,
    staff: list[Any] | None = None,
) -> Provider:
    policy.require(actor, Cap.PROVIDERS_MANAGE, tenant)
    name = data.get("name", provider.name if provider else "")
    clash = Provider.objects.filter(tenant=tenant, name__iexact=name)
    if provider is not None:
        clash = clash.exclude(pk=provider.pk)
    if clash.exists():
        raise DomainError(_("A provider with this name already exists."))
    if provider is None:
        provider = Provider.objects.create(
            tenant=tenant, **{k: v for k, v in data.items() if k in PROVIDER_FIELDS}
        )
        changes: dict[str, list[Any]] = {"name": [None, provider.name]}
        action = "provider.create"
    else:
        changes = changed_fields(provider, {k: v for k, v in data.items() if k in PROVIDER_FIELDS})
        provider.save()
        action = "provider.update"
    if staff is not None:
        from teilhabe.accounts.models import Membership

        allowed = set(
            Membership.objects.filter(tenant=tenant, role="provider", is_active=True).values_list(
                "user_id", flat=True
            )
        )
        wrong = [u for u in staff if u.pk not in allowed]
        if wrong:
            raise DomainError(_("Only people with the provider role can be staff of a provider."))
        before = sorted(u.username for u in provider.staff.all())
        provider.staff.set(staff)
        after = sorted(u.username for u in staff)
        if before != after:
            changes["staff"] = [before, after]
    if changes:
        audit_record(actor=actor, action=action, obj=provider, changes=changes)
    return provider


@transaction.atomic
def programme_rule_sets_load() -> int:
    """Copy the shipped programme rule sets (``teilhabe/eligibility/data``) into the database
    and link each Förderbaustein to its rule set.  Existing records are left as edited."""
    from teilhabe.eligibility import load_programme_rule_sets

    from .models import FundingSource, RuleSetRecord
    from .taxonomy import FUNDING_SOURCES

    created = 0
    for code, rule_set in load_programme_rule_sets().items():
        definition = rule_set.to_dict()
        _record, made = RuleSetRecord.objects.get_or_create(
            tenant=None,
            code=code,
            defaults={
                "name": definition.get("name_de") or code,
                "definition": definition,
                "valid_from": definition.get("valid_from") or None,
                "valid_until": definition.get("valid_until") or None,
            },
        )
        created += int(made)
    for funding_code, _name, _kind, rules_code, _start, _end in FUNDING_SOURCES:
        if rules_code:
            FundingSource.objects.filter(code=funding_code, rule_set__isnull=True).update(
                rule_set=RuleSetRecord.objects.filter(tenant=None, code=rules_code).first()
            )
    return created


def taxonomy_load() -> None:
    """Create the initial categories and funding sources where missing (idempotent; the data
    migration does the same on a new database)."""
    from .models import Category, FundingSource
    from .taxonomy import CATEGORIES, FUNDING_SOURCES

    for order, (code, name, plain, translations) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_plain": plain,
                "translations": translations,
                "sort_order": order * 10,
            },
        )
    for order, (code, name, kind, _rules, start, end) in enumerate(FUNDING_SOURCES, start=1):
        FundingSource.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "valid_from": start,
                "valid_until": end,
                "sort_order": order * 10,
            },
        )


@transaction.atomic
def rule_set_save(
    *,
    actor: Any,
    tenant: Tenant,
    name: str,
    definition: dict[str, Any],
    record: Any = None,
) -> Any:
    """Create or change one of the tenant's rule sets; the engine validates the definition."""
    from teilhabe.eligibility import rule_set_from_dict

    from .models import RuleSetRecord
    from .rules_form import unknown_criteria

    policy.require(actor, Cap.RULES_MANAGE, tenant)
    if record is not None and record.tenant_id != tenant.pk:
        raise DomainError(_("Programme rule sets are maintained by the platform administration."))
    if record is not None:
        # keep criteria the structured form does not show
        definition = dict(definition)
        definition["criteria"] = list(definition["criteria"]) + unknown_criteria(record.definition)
    try:
        parsed = rule_set_from_dict(definition)
    except ValueError as exc:
        raise DomainError(_("The rules are not valid: %(error)s") % {"error": exc}) from exc
    clash = RuleSetRecord.objects.filter(tenant=tenant, code=parsed.code)
    if record is not None:
        clash = clash.exclude(pk=record.pk)
    if clash.exists() or RuleSetRecord.objects.filter(tenant=None, code=parsed.code).exists():
        raise DomainError(_("A rule set with this code already exists."))
    values = {
        "code": parsed.code,
        "name": name,
        "definition": parsed.to_dict(),
        "valid_from": parsed.valid_from,
        "valid_until": parsed.valid_until,
    }
    if record is None:
        record = RuleSetRecord.objects.create(tenant=tenant, **values)
        audit_record(
            actor=actor,
            action="ruleset.create",
            obj=record,
            tenant=tenant,
            changes={"code": [None, parsed.code]},
        )
    else:
        before = record.definition
        changes = changed_fields(record, values)
        record.save()
        if changes:
            audit_record(
                actor=actor,
                action="ruleset.update",
                obj=record,
                tenant=tenant,
                changes={k: v for k, v in changes.items() if k != "definition"}
                | ({"definition": ["…", "…"]} if before != record.definition else {}),
            )
    return record


@transaction.atomic
def programme_rule_set_update(
    *, actor: Any, record: Any, name: str, definition: dict[str, Any]
) -> Any:
    """Platform administrators change a programme rule set (dated data, not code)."""
    from teilhabe.eligibility import rule_set_from_dict

    policy.require(actor, Cap.PLATFORM_MANAGE)
    if record.tenant_id is not None:
        raise DomainError(_("Programme rule sets are maintained by the platform administration."))
    try:
        parsed = rule_set_from_dict(definition)
    except ValueError as exc:
        raise DomainError(_("The rules are not valid: %(error)s") % {"error": exc}) from exc
    if parsed.code != record.code:
        raise DomainError(_("The code of a programme rule set cannot be changed."))
    before = record.definition
    changes = changed_fields(
        record,
        {
            "name": name,
            "definition": parsed.to_dict(),
            "valid_from": parsed.valid_from,
            "valid_until": parsed.valid_until,
        },
    )
    record.save()
    if changes:
        summary = {k: v for k, v in changes.items() if k != "definition"}
        if before != record.definition:
            summary["definition"] = ["…", "…"]
        audit_record(actor=actor, action="ruleset.update", obj=record, changes=summary)
    return record


@transaction.atomic
def category_save(*, actor: Any, category: Any, data: dict[str, Any]) -> Any:
    from .models import Category

    policy.require(actor, Cap.PLATFORM_MANAGE)
    if category is None:
        category = Category.objects.create(**data)
        audit_record(
            actor=actor,
            action="category.create",
            obj=category,
            changes={"code": [None, category.code]},
        )
        return category
    changes = changed_fields(category, data)
    category.save()
    if changes:
        audit_record(actor=actor, action="category.update", obj=category, changes=changes)
    return category

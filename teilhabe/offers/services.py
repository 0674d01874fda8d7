"""Every write to the offer directory: permission, validation, write, audit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
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


# --------------------------------------------------------------------------- many offers at once
# The import writes thousands of offers in one request: these apply the rules and write the
# audit events of ``offer_create`` and ``offer_update`` with a number of queries that does not
# grow per offer (apart from one audit insert each).  Keep them in step with those two.

BULK_BATCH = 500
# fields that ``offer_validate`` reads
VALIDATED_FIELDS = ("start_date", "end_date", "capacity", "seats_taken", "min_age", "max_age")


@dataclass
class NewOffer:
    data: dict[str, Any]
    locations: list[dict[str, Any]]
    schedules: list[dict[str, Any]]


@dataclass
class OfferChange:
    offer: Offer  # as read before the change: its version guards against lost updates
    data: dict[str, Any]  # offer fields to change; the offer number is never changed here
    locations: list[dict[str, Any]] | None = None  # None: keep the locations
    schedules: list[dict[str, Any]] | None = None  # None: keep the weekly times


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BULK_BATCH):
        yield items[start : start + BULK_BATCH]


def _about(key: str, message: str) -> str:
    return _("Offer %(key)s: %(message)s") % {"key": key, "message": message}


def _update_columns(rows: list[tuple[Offer, list[str]]]) -> None:
    """Write the named fields (plus ``updated_at``) of many offers: one ``executemany`` per
    set of changed fields.  (``bulk_update`` builds a CASE expression per row and field,
    which takes seconds for a few thousand offers.)"""
    groups: dict[tuple[str, ...], list[Offer]] = defaultdict(list)
    for row, names in rows:
        groups[tuple(sorted({*names, "updated_at"}))].append(row)
    concrete = {f.name: f for f in Offer._meta.concrete_fields}
    quote = connection.ops.quote_name
    table, pk = quote(Offer._meta.db_table), quote(concrete["id"].column)
    with connection.cursor() as cursor:
        for group, members in groups.items():
            fields = [concrete[name] for name in group]
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            # identifiers come from the model's metadata, values are parameters
            sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(m, f.attname), connection) for f in fields] + [m.pk]
                    for m in members
                ],
            )


@transaction.atomic
def offer_create_many(*, actor: Any, tenant: Tenant, entries: list[NewOffer]) -> list[Offer]:
    """``offer_create`` for many offers at once (same checks, same audit events)."""
    policy.require(actor, Cap.OFFERS_CREATE, tenant)
    keys = [e.data["key"] for e in entries]
    duplicates = {k for k in keys if keys.count(k) > 1} if len(set(keys)) != len(keys) else set()
    for chunk in _chunks(keys):
        duplicates |= set(
            Offer.objects.filter(tenant=tenant, key__in=chunk).values_list("key", flat=True)
        )
    if duplicates:
        raise DomainError(
            _about(sorted(duplicates)[0], _("An offer with this number already exists."))
        )
    offers: list[Offer] = []
    for entry in entries:
        try:
            _check_provider(actor, tenant, entry.data["provider"])
        except DomainError as exc:
            raise DomainError(_about(entry.data["key"], str(exc))) from None
        errors = offer_validate(entry.data)
        if errors:
            raise DomainError(_about(entry.data["key"], " ".join(errors.values())))
        fields = {k: v for k, v in entry.data.items() if k in OFFER_FIELDS}
        offers.append(Offer(tenant=tenant, **fields))
    Offer.objects.bulk_create(offers, batch_size=BULK_BATCH)
    if any(o.pk is None for o in offers):  # databases that return no ids from a bulk insert
        ids: dict[str, int] = {}
        for chunk in _chunks(keys):
            ids.update(Offer.objects.filter(tenant=tenant, key__in=chunk).values_list("key", "pk"))
        for offer in offers:
            offer.pk = ids[offer.key]
    OfferLocation.objects.bulk_create(
        [
            OfferLocation(tenant=tenant, offer=offer, **loc)
            for offer, entry in zip(offers, entries, strict=True)
            for loc in entry.locations
        ],
        batch_size=BULK_BATCH,
    )
    OfferSchedule.objects.bulk_create(
        [
            OfferSchedule(tenant=tenant, offer=offer, **slot)
            for offer, entry in zip(offers, entries, strict=True)
            for slot in entry.schedules
        ],
        batch_size=BULK_BATCH,
    )
    for offer in offers:
        audit_record(
            actor=actor,
            action="offer.create",
            obj=offer,
            changes={k: [None, getattr(offer, k)] for k in ("key", "title", "status")},
        )
    return offers


@transaction.atomic
def offer_update_many(*, actor: Any, tenant: Tenant, changes: list[OfferChange]) -> list[Offer]:
    """``offer_update`` for many offers of ``tenant`` at once (same checks, same audit events).

    Each change carries the offer as read before; if somebody changed it in the meantime
    (its version differs), nothing is written and ``ConflictError`` is raised.
    """
    for change in changes:
        policy.require(actor, Cap.OFFERS_EDIT, change.offer)
        if change.offer.tenant_id != tenant.pk:
            raise DomainError(_("The offer does not belong to this tenant."))
    pks = [c.offer.pk for c in changes]
    locked: dict[int, Offer] = {}
    for chunk in _chunks(pks):
        # the related objects come along: the audit records their old names
        locked.update(
            Offer.objects.select_for_update(of=("self",))
            .select_related("category", "funding", "provider", "rule_set")
            .in_bulk(chunk)
        )
    replace_locations = [c.offer.pk for c in changes if c.locations is not None]
    replace_schedules = [c.offer.pk for c in changes if c.schedules is not None]
    before_locations: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(replace_locations):
        for loc in OfferLocation.objects.filter(offer_id__in=chunk).order_by("id"):
            before_locations[loc.offer_id].append(str(loc))
    before_schedules: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(replace_schedules):
        for slot in OfferSchedule.objects.filter(offer_id__in=chunk).order_by(
            "weekday", "opens_at"
        ):
            before_schedules[slot.offer_id].append(str(slot))

    now = timezone.now()
    changed: list[tuple[Offer, dict[str, list[Any]]]] = []
    new_locations: list[OfferLocation] = []
    new_schedules: list[OfferSchedule] = []
    for change in changes:
        row = locked.get(change.offer.pk)
        key = change.offer.key
        if row is None or row.version != change.offer.version:
            raise ConflictError(
                _about(
                    key,
                    _(
                        "Somebody else has changed this offer in the meantime. "
                        "Please reload and try again."
                    ),
                )
            )
        row.tenant = tenant
        data = {k: v for k, v in change.data.items() if k in OFFER_FIELDS and k != "key"}
        if "provider" in data and data["provider"].pk != row.provider_id:
            try:
                _check_provider(actor, tenant, data["provider"])
            except DomainError as exc:
                raise DomainError(_about(key, str(exc))) from None
        errors = offer_validate({k: getattr(row, k) for k in VALIDATED_FIELDS} | data)
        if errors:
            raise DomainError(_about(key, " ".join(errors.values())))
        diff = changed_fields(row, data)
        if change.locations is not None:
            after = [OfferLocation(tenant=tenant, offer=row, **loc) for loc in change.locations]
            new_locations.extend(after)
            labels = [str(x) for x in after]
            if before_locations[row.pk] != labels:
                diff["locations"] = [before_locations[row.pk], labels]
        if change.schedules is not None:
            slots = [OfferSchedule(tenant=tenant, offer=row, **s) for s in change.schedules]
            new_schedules.extend(slots)
            labels = [str(x) for x in sorted(slots, key=lambda s: (s.weekday, s.opens_at))]
            if before_schedules[row.pk] != labels:
                diff["schedules"] = [before_schedules[row.pk], labels]
        if diff:
            row.version += 1
            row.updated_at = now
            changed.append((row, diff))
    _update_columns([(row, [*diff.keys() & set(OFFER_FIELDS), "version"]) for row, diff in changed])
    for chunk in _chunks(replace_locations):
        OfferLocation.objects.filter(tenant=tenant, offer_id__in=chunk).delete()
    OfferLocation.objects.bulk_create(new_locations, batch_size=BULK_BATCH)
    for chunk in _chunks(replace_schedules):
        OfferSchedule.objects.filter(tenant=tenant, offer_id__in=chunk).delete()
    OfferSchedule.objects.bulk_create(new_schedules, batch_size=BULK_BATCH)
    for row, diff in changed:
        audit_record(actor=actor, action="offer.update", obj=row, changes=diff)
    return [row for row, _diff in changed]

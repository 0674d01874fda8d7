"""Reads of case-work data.  Every list is scoped through the policy; every read of a
participant's record writes an audit event."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap, Role
from teilhabe.audit.services import audit_record
from teilhabe.territory.models import Territory

from .models import Case, Participant, VolunteerAssignment

# --- prepared reads ------------------------------------------------------------------------------
#
# The detail page reads a handful of small lists (statuses, benefits, consents, cases …) of one
# person.  Building such a query with the ORM costs far more than running it (about 0.3 ms
# against 0.02 ms on SQLite).  ``prepared_rows`` builds the query once per process and database
# with placeholder numbers in place of the ids (like ``teilhabe.core.fasturls``), keeps the SQL
# the ORM wrote for the database in use together with the ORM's converters for the selected
# columns, and afterwards only puts the ids in and runs it.  The SQL is the ORM's own, so it is
# right for SQLite and PostgreSQL alike; only whole-number ids can be filled in.

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLACEHOLDERS = tuple(987_650_100 + i for i in range(8))
# for public ids: UUIDs no record has (version 4, ending in a marker)
UUID_PLACEHOLDERS = tuple(uuid.UUID(f"00000000-0000-4000-8000-0000000fa{i:03d}") for i in range(8))
_PREPARED: dict[tuple[Any, ...], Any] = {}
_PREPARED_LOCK = threading.Lock()


def _as_id(value: Any) -> int | uuid.UUID:
    """An id to fill in: a whole number, or a UUID (given as UUID or as its text)."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str) and not value.isdigit():
        return uuid.UUID(value)  # ValueError for anything else
    return int(value)


def _prepare(
    key: tuple[Any, ...], build: Callable[..., QuerySet[Any, Any]], kinds: tuple[str, ...]
) -> Any:
    n = len(kinds)
    placeholders = [
        UUID_PLACEHOLDERS[i] if kind == "uuid" else PLACEHOLDERS[i] for i, kind in enumerate(kinds)
    ]
    queryset = build(*placeholders)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    slots = []
    for position, value in enumerate(params):
        if type(value) is int and value in PLACEHOLDERS[:n]:
            slots.append((position, PLACEHOLDERS.index(value), "int"))
        elif isinstance(value, uuid.UUID) and value in UUID_PLACEHOLDERS[:n]:
            slots.append((position, UUID_PLACEHOLDERS.index(value), "uuid"))
        elif isinstance(value, str) and value in {u.hex for u in UUID_PLACEHOLDERS[:n]}:
            # SQLite keeps UUIDs as 32 hex digits
            index = [u.hex for u in UUID_PLACEHOLDERS].index(value)
            slots.append((position, index, "hex"))
    if sorted({index for _pos, index, _form in slots}) != list(range(n)):
        raise ValueError(f"prepared query {key[-1]!r}: every placeholder must be a parameter")
    taken = {position for position, _index, _form in slots}
    for position, value in enumerate(params):
        # a date or time in the query would be frozen at the first call of the process
        # (SQLite's backend passes them as ISO text, PostgreSQL's as date objects)
        if position not in taken and (
            isinstance(value, dt.date | dt.time)
            or (isinstance(value, str) and _ISO_DATE.match(value))
        ):
            raise ValueError(f"prepared query {key[-1]!r}: no dates or times, only ids")
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = list(compiler.get_converters(fields).items())
    names = list(queryset.query.values_select) + list(queryset.query.annotation_select)
    if len(names) != compiler.col_count:
        raise ValueError(f"prepared query {key[-1]!r}: select named fields with values()")
    entry = (sql, tuple(params), tuple(slots), tuple(names), converters)
    with _PREPARED_LOCK:
        _PREPARED[key] = entry
    return entry


def prepared_rows(
    name: str, build: Callable[..., QuerySet[Any, Any]], *ids: Any, using: str = "default"
) -> list[Row]:
    """The rows of ``build(*ids).values(...)`` as dicts, without building the query again:
    ``build`` is called once per process and database with placeholders and must use its
    arguments only as filter values that are ids (whole numbers, or UUIDs such as public
    ids); ``name`` names the query."""
    connection = connections[using]
    values = [_as_id(i) for i in ids]
    kinds = tuple("uuid" if isinstance(v, uuid.UUID) else "int" for v in values)
    key = (using, connection.vendor, name, kinds)
    entry = _PREPARED.get(key) or _prepare(key, build, kinds)
    sql, template, slots, names, converters = entry
    params = list(template)
    for position, index, form in slots:
        value = values[index]
        params[position] = value.hex if form == "hex" else value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = []
    for row in rows:
        if converters:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
        result.append(Row(zip(names, row, strict=True)))
    return result


class Row(dict[str, Any]):
    """A row of ``prepared_rows``: a dict (templates) that also answers attribute access
    (code written for model instances, e.g. the eligibility facts)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def case_worker_participant_ids(user: Any, tenant_id: int) -> QuerySet[Case, int]:
    """Participants of cases the user is responsible for or on the team of (two indexed
    subqueries instead of one OR over the team join)."""
    team = Case.team.through.objects.filter(user_id=user.pk, case__tenant_id=tenant_id).values_list(
        "case__participant_id", flat=True
    )
    return (
        Case.objects.filter(tenant_id=tenant_id)
        .filter(Q(responsible=user) | Q(participant_id__in=team))
        .values_list("participant_id", flat=True)
    )


def volunteer_participant_ids(user: Any, tenant_id: int) -> QuerySet[VolunteerAssignment, int]:
    today = timezone.localdate()
    return (
        VolunteerAssignment.objects.filter(tenant_id=tenant_id, volunteer=user)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values_list("participant_id", flat=True)
    )


def _case_worker_rows(user_id: int, tenant_id: int) -> QuerySet[Case, Any]:
    team = Case.team.through.objects.filter(user_id=user_id, case__tenant_id=tenant_id).values(
        "case__participant_id"
    )
    return (
        Case.objects.filter(tenant_id=tenant_id)
        .filter(Q(responsible_id=user_id) | Q(participant_id__in=team))
        .values("participant_id")
    )


def _volunteer_rows(user_id: int, tenant_id: int) -> QuerySet[VolunteerAssignment, Any]:
    return VolunteerAssignment.objects.filter(tenant_id=tenant_id, volunteer_id=user_id).values(
        "participant_id", "ended_on"
    )


def assigned_id_set(user: Any, tenant_id: int, kind: str) -> frozenset[int]:
    """The ids of ``case_worker_participant_ids`` (``kind`` "case") or of
    ``volunteer_participant_ids`` ("volunteer") as a set, read with a prepared query (the
    policy asks this on every page of a participant)."""
    if kind == "case":
        rows = prepared_rows("policy.case", _case_worker_rows, user.pk, tenant_id)
        return frozenset(r["participant_id"] for r in rows)
    if kind == "volunteer":
        today = timezone.localdate()
        rows = prepared_rows("policy.volunteer", _volunteer_rows, user.pk, tenant_id)
        return frozenset(
            r["participant_id"] for r in rows if r["ended_on"] is None or r["ended_on"] >= today
        )
    raise ValueError(f"unknown kind {kind!r}")


def assigned_id_sets(user: Any, tenant_id: int) -> dict[str, frozenset[int]]:
    """Both sets of ``assigned_id_set``."""
    return {kind: assigned_id_set(user, tenant_id, kind) for kind in ("case", "volunteer")}


def participants_visible_to(*, actor: Any, tenant: Tenant) -> QuerySet[Participant]:
    """All participants the actor may open (no audit: use for lists)."""
    roles = policy.roles_in(actor, tenant)
    base = Participant.objects.filter(tenant=tenant, merged_into__isnull=True)
    allowed = Q(pk__in=[])
    if Role.CASE_WORKER in roles:
        allowed |= Q(pk__in=case_worker_participant_ids(actor, tenant.pk))
    if Role.VOLUNTEER in roles:
        allowed |= Q(pk__in=volunteer_participant_ids(actor, tenant.pk))
    return base.filter(allowed)


def participant_list_for(
    *, actor: Any, tenant: Tenant, query: str = "", include_restricted: bool = False
) -> QuerySet[Participant]:
    """The actor's participants, searchable by name (also transliteration variants)."""
    policy.require(actor, Cap.PARTICIPANT_VIEW, tenant)
    qs = participants_visible_to(actor=actor, tenant=tenant).filter(anonymised_at__isnull=True)
    if not include_restricted:
        qs = qs.filter(restricted=False)
    if query:
        from .phonetics import name_key

        key = name_key(query, "")
        words = query.split()
        text = Q()
        for word in words[:4]:
            text &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(name_transliteration__icontains=word)
            )
        if key:
            text |= Q(name_key__contains=key)
        qs = qs.filter(text)
    return qs.select_related("gemeinde").order_by("last_name", "first_name", "id")


def _participant_row(tenant_id: int, public_id: Any) -> QuerySet[Participant, Any]:
    own = [f.attname for f in Participant._meta.concrete_fields]
    gemeinde = [f"gemeinde__{f.attname}" for f in Territory._meta.concrete_fields]
    rows: QuerySet[Participant, Any] = Participant.objects.filter(
        tenant_id=tenant_id, public_id=public_id
    ).values(*own, *gemeinde)
    return rows


def participant_load(tenant: Tenant, public_id: Any) -> Participant | None:
    """The tenant's participant with this public id and its Gemeinde, as
    ``select_related("gemeinde")`` would give it, from a prepared read (no access check, no
    audit: callers are the selectors that do both)."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None  # not a UUID: nobody has it
    rows = prepared_rows("people.participant", _participant_row, tenant.pk, key)
    if not rows:
        return None
    row = rows[0]
    own = [f.attname for f in Participant._meta.concrete_fields]
    participant = Participant.from_db("default", own, [row[name] for name in own])
    gemeinde = None
    if row["gemeinde__id"] is not None:
        names = [f.attname for f in Territory._meta.concrete_fields]
        gemeinde = Territory.from_db("default", names, [row[f"gemeinde__{n}"] for n in names])
    Participant._meta.get_field("gemeinde").set_cached_value(participant, gemeinde)
    participant.tenant = tenant  # the same row (filtered by it): no second read
    return participant


def participant_get_for(
    *,
    actor: Any,
    tenant: Tenant,
    public_id: Any,
    purpose: str = "read",
    capability: str = Cap.PARTICIPANT_VIEW,
) -> Participant | None:
    """One participant, or None (the view answers 404) — the read or the refused attempt is
    audited either way.  ``capability``: what the page needs (the full record needs
    ``participant.edit``, so an assigned volunteer guessing its URL gets 404 like anybody
    else, and no read is recorded)."""
    participant = participant_load(tenant, public_id)
    if participant is None or not policy.can(actor, capability, participant):
        audit_record(
            actor=actor,
            action="security.participant_denied",
            tenant=tenant,
            details={"participant": str(public_id)},
        )
        return None
    audit_record(actor=actor, action=purpose, obj=participant, tenant=tenant)
    return participant


def current_status(participant: Participant, on: date | None = None) -> Any:
    """The residence-status entry valid on ``on`` (default today), else the latest."""
    on = on or timezone.localdate()
    entries = list(participant.statuses.all())
    for entry in entries:
        if entry.valid_from <= on and (entry.valid_until is None or entry.valid_until >= on):
            return entry
    return entries[0] if entries else None

"""Participants for the demo and the NRW-scale seed (people area).

``seed_participants(seeder, tenant, count)`` creates young adults with realistic residence
histories (Gestattung → Duldung → Ausbildungsduldung § 60c, recognition, § 25a, Chancen-
Aufenthaltsrecht …), benefit histories, consents and one case each, assigned round-robin to
the tenant's case workers (in the demo Kreis: ``fallarbeit``, ``coach1`` … ``coach5``).
Goals, contacts, referrals, episodes and outcomes come from the other seed functions.

Deterministic for a given ``seeder.rng`` and ``today`` (default: the current date, so that
statuses expire and 27th birthdays approach relative to the day of the demo).  Everything is
written with ``bulk_create`` and without services (no audit events for generated data);
70,000 participants take well under a minute.  Idempotent: a tenant that already has
participants is left alone.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from typing import Any

from django.db import connection, connections, router, transaction
from django.utils import timezone

from teilhabe.accounts.models import Membership, Tenant
from teilhabe.accounts.roles import Role
from teilhabe.offers.models import Provider
from teilhabe.participants.models import (
    BenefitEntry,
    Case,
    Consent,
    Participant,
    ResidenceStatusEntry,
)
from teilhabe.participants.phonetics import name_key
from teilhabe.territory.models import gemeinden_in

from .names import FIRST_NAMES, LAST_NAMES

BATCH = 5000
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# nationality, weight, languages spoken
ORIGINS: list[tuple[str, int, tuple[str, ...]]] = [
    ("SY", 24, ("ar", "ku")),
    ("AF", 20, ("fa", "ps")),
    ("IQ", 10, ("ar", "ku")),
    ("TR", 8, ("tr", "ku")),
    ("ER", 7, ("ti",)),
    ("GN", 5, ("fr",)),
    ("NG", 5, ("en",)),
    ("SO", 4, ("so",)),
    ("IR", 5, ("fa",)),
    ("UA", 6, ("uk", "ru")),
    ("GE", 3, ("ru",)),
    ("XK", 3, ()),
]
OFFICES = ("Ausländerbehörde", "Zentrale Ausländerbehörde Bielefeld", "Ausländerbehörde der Stadt")
STREETS = (
    "Bahnhofstraße",
    "Hauptstraße",
    "Kirchstraße",
    "Schulstraße",
    "Lindenweg",
    "Berliner Straße",
    "Kolpingstraße",
    "Am Markt",
)
# (scenario, weight); each builds a gap-free status history ending with the current entry
SCENARIOS = [
    ("pending", 16),
    ("rejected_duldung", 22),
    ("ausbildungsduldung", 12),
    ("beschaeftigungsduldung", 4),
    ("recognised", 22),
    ("subsidiary", 8),
    ("25a", 7),
    ("104c", 5),
    ("eu", 4),
]
# first names of the shared pool that are usually given to women
FEMALE_NAMES = frozenset(
    {
        "Anna",
        "Lena",
        "Miriam",
        "Sabine",
        "Katrin",
        "Aylin",
        "Fatma",
        "Leyla",
        "Mariam",
        "Noor",
        "Rahel",
        "Selam",
        "Aster",
        "Zahra",
        "Parisa",
        "Olena",
        "Iryna",
        "Kateryna",
        "Amani",
        "Ngozi",
    }
)
CASE_STATUSES = [("erstkontakt", 10), ("aktiv", 62), ("ruhend", 10), ("abgeschlossen", 18)]
MODULES = [("f1", 58), ("f6", 27), ("kim", 15)]
CLOSING_REASONS = (
    "Ziele erreicht",
    "Ausbildung begonnen",
    "Arbeitsaufnahme",
    "Kein Kontakt mehr",
    "Wegzug",
)


def _weighted(items: list[tuple[Any, int]]) -> list[Any]:
    return [value for value, weight in items for _ in range(weight)]


def _origins() -> list[tuple[str, tuple[str, ...]]]:
    return [(code, langs) for code, weight, langs in ORIGINS for _ in range(weight)]


def _days(rng: Any, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def _status_history(
    rng: Any, scenario: str, start: dt.date, today: dt.date
) -> tuple[list[dict[str, Any]], str, str]:
    """Entries (kind, paragraph, from, until, work) from ``start`` to today, the asylum
    decision and the work permission."""
    entries: list[dict[str, Any]] = []

    def add(kind: str, paragraph: str, length_days: int | None, work: bool | None) -> dt.date:
        begin = entries[-1]["valid_until"] + dt.timedelta(days=1) if entries else start
        end = begin + dt.timedelta(days=length_days) if length_days else None
        entries.append(
            {
                "kind": kind,
                "paragraph": paragraph,
                "valid_from": begin,
                "valid_until": end,
                "work_permitted": work,
            }
        )
        return end or today

    def renew(kind: str, paragraph: str, months: int, work: bool | None) -> None:
        """The current document: valid from the end of the previous one until a day after
        today (renewals extend it; some expire within the next weeks)."""
        begin = entries[-1]["valid_until"] + dt.timedelta(days=1) if entries else start
        end = max(
            begin + dt.timedelta(days=60), today + dt.timedelta(days=rng.randint(5, months * 30))
        )
        add(kind, paragraph, (end - begin).days, work)

    available = (today - start).days
    if scenario not in ("eu", "pending") and available < 300:
        scenario = "pending"
    gestattung_days = min(rng.randint(180, 900), max(180, available - 120))
    if scenario == "eu":
        add("none", "", None, True)
        return entries, "", "permitted"
    if scenario == "pending":
        renew("gestattung", "", 6, rng.random() < 0.5)
        return entries, "pending", rng.choice(["needs_approval", "needs_approval", "banned"])
    add("gestattung", "", gestattung_days, rng.random() < 0.3)
    if scenario in ("recognised", "subsidiary"):
        paragraph = "25_2" if scenario == "recognised" else rng.choice(["25_2", "25_3"])
        renew("aufenthaltserlaubnis", paragraph, 36, True)
        return entries, "recognised", "permitted"
    # rejected: Duldung first
    for _ in range(rng.randint(1, 2)):
        if entries[-1]["valid_until"] and entries[-1]["valid_until"] >= today:
            break
        add("duldung", rng.choice(["60a", "60a", "60a_2_3", "60b"]), rng.randint(120, 420), False)
    if entries[-1]["valid_until"] is not None and entries[-1]["valid_until"] < today:
        if scenario == "ausbildungsduldung":
            renew("duldung", "60c", 24, True)
        elif scenario == "beschaeftigungsduldung":
            renew("duldung", "60d", 30, True)
        elif scenario == "25a":
            renew("aufenthaltserlaubnis", "25a", 24, True)
        elif scenario == "104c":
            renew("aufenthaltserlaubnis", "104c", 18, True)
        else:
            renew("duldung", "60a", 4, rng.random() < 0.3)
    work = "permitted" if entries[-1]["work_permitted"] else "needs_approval"
    if scenario == "rejected_duldung" and rng.random() < 0.15:
        work = "banned"
    return entries, "rejected", work


def _benefits(
    rng: Any, statuses: list[dict[str, Any]], start: dt.date, today: dt.date
) -> list[dict[str, Any]]:
    """AsylbLG from the start; SGB II from the first residence permit (most), else on."""
    permit = next((s for s in statuses if s["kind"] == "aufenthaltserlaubnis"), None)
    if statuses and statuses[0]["kind"] == "none":
        return [{"kind": "none", "valid_from": start, "valid_until": None}]
    if permit is None:
        return [{"kind": "asylblg", "valid_from": start, "valid_until": None}]
    switch = permit["valid_from"]
    if switch <= start:
        return [{"kind": "sgb2", "valid_from": start, "valid_until": None}]
    rows = [
        {"kind": "asylblg", "valid_from": start, "valid_until": switch - dt.timedelta(days=1)},
        {"kind": "sgb2", "valid_from": switch, "valid_until": None},
    ]
    if rng.random() < 0.2 and switch + dt.timedelta(days=400) < today:
        # found work: no benefits any more
        end = switch + _days(rng, 200, 380)
        rows[-1]["valid_until"] = end
        rows.append({"kind": "none", "valid_from": end + dt.timedelta(days=1), "valid_until": None})
    return rows


@cache
def _name_key(first: str, last: str) -> str:
    return name_key(first, last)


def _case_workers(tenant: Tenant) -> list[Any]:
    memberships = (
        Membership.objects.filter(tenant=tenant, role=Role.CASE_WORKER, is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    return [m.user for m in memberships]


def _converter(field: Any, conn: Any) -> Any:
    """The database value of a Python value for one column (what ``get_db_prep_save`` does,
    without its per-row overhead); ``None`` where the value goes in unchanged."""
    internal = field.get_internal_type()
    if internal == "UUIDField":
        return None if conn.features.has_native_uuid_field else (lambda v: v and v.hex)
    if internal == "JSONField":
        return lambda v: field.get_db_prep_save(v, conn)
    if internal == "DateTimeField":
        return conn.ops.adapt_datetimefield_value
    if internal == "DateField":
        return conn.ops.adapt_datefield_value
    return None


def bulk_insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT rows (dicts by attribute name; missing columns get the field default) with
    ``executemany`` — several times faster than ``bulk_create`` at NRW scale.  Random
    UUID columns (``public_id``) are filled from ``os.urandom``.  No signals, no ids
    returned (read them back in insertion order)."""
    conn = connections[router.db_for_write(model)]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan: list[tuple[str, Any, Any, bool]] = []  # name, converter, constant, random uuid
    for f in fields:
        conv = _converter(f, conn)
        random_uuid = f.get_internal_type() == "UUIDField" and callable(f.default)
        if f.attname in ("created_at", "updated_at"):
            constant = now
        elif random_uuid:
            constant = None
        else:
            constant = f.get_default()
        if conv is not None and not random_uuid:
            constant = conv(constant)
        plan.append((f.attname, conv, constant, random_uuid))
    quote = conn.ops.quote_name
    # identifiers from the model's metadata (quoted), values as parameters
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)

    def lines(batch: list[dict[str, Any]]) -> list[list[Any]]:
        ids = os.urandom(16 * len(batch)).hex()
        result = []
        for n, row in enumerate(batch):
            line = []
            for name, conv, constant, random_uuid in plan:
                if name in row:
                    value = row[name]
                    line.append(value if conv is None else conv(value))
                elif random_uuid:
                    line.append(ids[32 * n : 32 * n + 32])
                else:
                    line.append(constant)
            result.append(line)
        return result

    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # COPY: one stream instead of a round trip per row
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(rows), BATCH):
                    for line in lines(rows[start : start + BATCH]):
                        copy.write_row(line)
            return
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, lines(rows[start : start + BATCH]))


@transaction.atomic
def seed_participants(
    seeder: Any, tenant: Tenant, count: int, *, today: dt.date | None = None
) -> int:
    """``count`` participants with histories, consents and a case each (most open, some
    closed); returns the number created (0 if the tenant already has participants or no case
    workers)."""
    if count <= 0 or Participant.objects.filter(tenant=tenant).exists():
        return 0
    workers = _case_workers(tenant)
    if not workers:
        return 0
    rng = seeder.rng
    today = today or timezone.localdate()
    gemeinden = list(gemeinden_in(tenant.territory)) or [tenant.territory]
    provider_ids = list(
        Provider.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True)[:30]
    )
    origins = _origins()
    scenarios = _weighted(SCENARIOS)
    case_statuses = _weighted(CASE_STATUSES)
    modules = _weighted(MODULES)
    sexes = ["male"] * 63 + ["female"] * 34 + ["diverse"] * 2 + ["unknown"]
    female_names = [n for n in FIRST_NAMES if n in FEMALE_NAMES]
    male_names = [n for n in FIRST_NAMES if n not in FEMALE_NAMES]
    levels = ["", "A0", "A1", "A1", "A2", "A2", "B1", "B1", "B2"]
    offices = [f"{office} {tenant.territory.name}"[:120] for office in OFFICES]
    forms = ["paper", "paper", "paper", "verbal", "digital"]
    pseudonyms: set[str] = set()
    tid = tenant.pk

    people: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for i in range(count):
        sex = rng.choice(sexes)
        pool = female_names if sex == "female" else male_names if sex == "male" else FIRST_NAMES
        first, last = rng.choice(pool), rng.choice(LAST_NAMES)
        nationality, langs = rng.choice(origins)
        if rng.random() < 0.94:
            age_days = rng.randint(18 * 365, 27 * 365 + 300)
        else:
            age_days = rng.randint(16 * 365, 30 * 365)
        birth = today - dt.timedelta(days=age_days)
        earliest_entry = birth + dt.timedelta(days=14 * 365)
        entry = today - _days(rng, 200, 8 * 365)
        if entry < earliest_entry:
            entry = earliest_entry + _days(rng, 0, 200)
        if entry > today - dt.timedelta(days=120):
            entry = today - _days(rng, 120, 240)
        scenario = rng.choice(scenarios)
        asylum = entry + _days(rng, 0, 20) if scenario != "eu" else None
        history, decision, work = _status_history(rng, scenario, asylum or entry, today)
        g = rng.choice(gemeinden)
        level = rng.choice(levels)
        while True:
            pseudonym = "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(10))
            if pseudonym not in pseudonyms:
                pseudonyms.add(pseudonym)
                break
        spoken = [*langs, "en"] if rng.random() < 0.3 and "en" not in langs else list(langs)
        children = rng.choice([0] * 8 + [1, 1, 2, 3])
        people.append(
            {
                "tenant_id": tid,
                "first_name": first,
                "last_name": last,
                "name_transliteration": f"{last.upper()} {first}" if rng.random() < 0.3 else "",
                "name_key": _name_key(first, last),
                "birth_date": birth,
                "sex": sex,
                "nationalities": [nationality],
                "languages": spoken,
                "phone": f"0151 {rng.randint(1000000, 9999999)}",
                "email": f"teilnehmende{i + 1}@demo.teilhabe.invalid" if rng.random() < 0.6 else "",
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
                "postcode": f"{33000 + (int(g.ags[-3:]) * 7) % 999:05d}",
                "gemeinde_id": g.pk,
                "interpreter_needed": level in ("", "A0", "A1") and rng.random() < 0.6,
                "interpreter_language": langs[0] if langs else "",
                "children": children,
                "childcare_needed": children > 0 and rng.random() < 0.5,
                "entry_date": entry,
                "first_asylum_request": asylum,
                "asylum_decision": decision,
                "work_permission": work,
                "integration_course_access": True if decision == "recognised" else None,
                "lives_in_state_facility": False,
                "security_exclusion": False,
                "school_years": rng.choice([None, 4, 6, 8, 9, 10, 12]),
                "german_reading": level,
                "german_writing": level if rng.random() < 0.5 else "",
                "german_listening": level,
                "german_speaking": level,
                "pseudonym": pseudonym,
            }
        )
        plans.append(
            {
                "statuses": history,
                "start": asylum or entry,
                "entry": entry,
                "place": g.name,
                "language": spoken[0] if spoken else "de",
            }
        )
    bulk_insert(Participant, people)
    ids = list(
        Participant.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True)
    )
    assert len(ids) == count

    statuses: list[dict[str, Any]] = []
    benefits: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    for i, (pid, plan) in enumerate(zip(ids, plans, strict=True)):
        office = rng.choice(offices)
        for s in plan["statuses"]:
            statuses.append(
                {
                    "tenant_id": tid,
                    "participant_id": pid,
                    "issuing_office": office,
                    "residence_obligation": (
                        f"Wohnsitzauflage {plan['place']}"
                        if s["kind"] in ("gestattung", "duldung")
                        else ""
                    ),
                    **s,
                }
            )
        for b in _benefits(rng, plan["statuses"], plan["start"], today):
            benefits.append({"tenant_id": tid, "participant_id": pid, **b})
        worker = workers[i % len(workers)]
        earliest = max(plan["entry"], today - dt.timedelta(days=730))
        intake = earliest + _days(rng, 0, max(0, (today - earliest).days - 14))
        status = rng.choice(case_statuses)
        closed_on = None
        reason = ""
        if status == "abgeschlossen":
            closed_on = min(today, intake + _days(rng, 90, 540))
            reason = rng.choice(CLOSING_REASONS)
        cases.append(
            {
                "tenant_id": tid,
                "participant_id": pid,
                "responsible_id": worker.pk,
                "module": rng.choice(modules),
                "intake_date": intake,
                "status": status,
                "closed_on": closed_on,
                "closing_reason": reason,
            }
        )
        if status == "erstkontakt" and rng.random() < 0.5:
            continue  # consent not yet recorded
        form = rng.choice(forms)
        base = {"tenant_id": tid, "participant_id": pid, "recorded_by_id": worker.pk}
        consents.append(
            {
                **base,
                "purpose": "case_work",
                "given_on": intake,
                "form": form,
                "witness": "Kollegin im Beratungsgespräch" if form == "verbal" else "",
                "language": rng.choice(["de", "de", plan["language"]]),
            }
        )
        for purpose, chance in (("evaluation", 0.45), ("reminders", 0.35), ("volunteer", 0.1)):
            if rng.random() < chance:
                consents.append({**base, "purpose": purpose, "given_on": intake, "form": "paper"})
        if provider_ids and rng.random() < 0.25:
            consents.append(
                {
                    **base,
                    "purpose": "share_provider",
                    "provider_id": rng.choice(provider_ids),
                    "given_on": min(today, intake + _days(rng, 0, 30)),
                    "form": "paper",
                }
            )
        if rng.random() < 0.03:
            last_consent = consents[-1]
            last_consent["withdrawn_on"] = max(last_consent["given_on"], today - _days(rng, 1, 30))
    bulk_insert(ResidenceStatusEntry, statuses)
    bulk_insert(BenefitEntry, benefits)
    bulk_insert(Case, cases)
    bulk_insert(Consent, consents)
    if connection.vendor == "postgresql":
        # fresh statistics after the bulk load, or the planner guesses badly at first
        with connection.cursor() as cursor:
            for model in (Participant, ResidenceStatusEntry, BenefitEntry, Case, Consent):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return count

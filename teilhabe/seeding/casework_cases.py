"""Case-work histories for the demo and the NRW-scale seed (cases area).

``seed_casework(seeder, tenant)`` takes the participants and cases that exist in a tenant (the
people seed creates them) and adds what a year of case work leaves behind: goals with reviews,
contacts over the last months with their proofs, education episodes, closures with the
outcome at closure and, for some, the follow-ups after 6 and 12 months.

Deterministic for a given ``seeder.rng`` and ``today`` (default: the current date, so that the
demo dashboard always has overdue contacts, goals past their date and follow-ups due).
Everything is written with ``bulk_create``; per row only a few random draws from precomputed
tables, so that 700,000 contacts at NRW scale take a couple of minutes.  Idempotent: a tenant
that already has goals or contacts is left alone.  Services are not used on purpose (no
per-row audit events for generated data).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from teilhabe.accounts.models import Tenant
from teilhabe.offers.models import Category
from teilhabe.participants.models import (
    Case,
    CaseStatus,
    Consent,
    Contact,
    EducationEpisode,
    Goal,
    GoalReview,
    Outcome,
    Participant,
)

FLUSH = 20000
REMOTE = frozenset({"telefonisch", "messenger"})

# kind, weight, minutes choices
CONTACT_KINDS: list[tuple[str, int, tuple[int, ...]]] = [
    ("persoenlich", 45, (30, 45, 45, 60, 60, 75, 90)),
    ("telefonisch", 25, (10, 15, 15, 20, 30)),
    ("messenger", 15, (5, 10, 10, 15)),
    ("aufsuchend", 10, (45, 60, 90, 120)),
    ("dritte", 5, (20, 30, 45, 60)),
]
# proofs by kind: personal contacts mostly confirmed, remote ones mostly without proof
PROOFS_PERSONAL = (
    ("teilnehmende",) * 12
    + ("anwesenheitsliste",) * 3
    + ("zweite_fachkraft",) * 2
    + ("keiner",) * 3
)
PROOFS_REMOTE = ("keiner",) * 7 + ("teilnehmende",) * 3
TOPICS = (
    "Bewerbungsunterlagen erstellt",
    "Anmeldung zum Deutschkurs",
    "Termin bei der Ausländerbehörde vorbereitet",
    "Jobcenter-Termin besprochen",
    "Praktikumsplatz gesucht",
    "Wohnungssuche",
    "Anmeldung am Berufskolleg",
    "§25a-Antrag besprochen",
    "Unterlagen für die Anerkennung des Schulabschlusses",
    "Vorstellungsgespräch vorbereitet",
    "Ausbildungsvertrag besprochen",
    "Fahrkarte und Mobilität",
    "Kinderbetreuung organisiert",
    "Kontoeröffnung",
    "Krankenversicherung geklärt",
    "Förderplan überprüft",
    "Sprachstand besprochen",
    "Gespräch mit dem Ausbildungsbetrieb",
    "Beratung zur Beschäftigungsduldung",
    "Nachhilfe vermittelt",
)
THIRD_PARTY_TOPICS = (
    "Abstimmung mit dem Jobcenter",
    "Rücksprache mit der Ausländerbehörde",
    "Gespräch mit der Lehrkraft am Berufskolleg",
    "Abstimmung mit dem Bildungsträger",
    "Telefonat mit dem Ausbildungsbetrieb",
)
NOTES = (
    "Nächster Termin vereinbart.",
    "Unterlagen sind vollständig.",
    "Dolmetscherin war dabei.",
    "Termin verschoben, Teilnehmende/r krank.",
    "Fortschritte beim Lebenslauf.",
)
COLLEAGUES = ("S. Becker", "M. Yilmaz", "A. Schulte", "K. Nowak", "L. Hoffmann")

GOALS: dict[str, tuple[str, ...]] = {
    "sprache": (
        "Deutschkurs B1 abschließen",
        "Sprachprüfung A2 ablegen",
        "Platz im Jugendintegrationskurs finden",
        "Berufssprachkurs B2 beginnen",
    ),
    "schulabschluss": (
        "Hauptschulabschluss nachholen",
        "Schulzeugnis anerkennen lassen",
        "Anmeldung zum Erwerb der Fachoberschulreife",
    ),
    "berufsorientierung": (
        "Berufsfelder erkunden (Praktikum)",
        "Potenzialanalyse durchführen",
        "Berufswunsch klären",
    ),
    "ausbildung": (
        "Ausbildungsplatz im Handwerk finden",
        "Einstiegsqualifizierung beginnen",
        "Bewerbungen für Ausbildung 2027 schreiben",
    ),
    "arbeit": (
        "Sozialversicherungspflichtige Arbeit finden",
        "Beschäftigungserlaubnis beantragen",
        "Minijob neben dem Sprachkurs",
    ),
    "wohnen": ("Eigene Wohnung finden", "Wohnberechtigungsschein beantragen"),
    "gesundheit": ("Psychosoziale Beratung anbinden", "Hausarzt finden"),
    "mobilitaet": ("Führerschein beginnen", "Deutschlandticket beantragen"),
    "kinderbetreuung": ("Kita-Platz finden",),
    "beratung": ("Aufenthaltsrechtliche Perspektive klären", "Schuldenberatung anbinden"),
}
GOAL_WEIGHTS = {
    "sprache": 5,
    "ausbildung": 4,
    "berufsorientierung": 3,
    "schulabschluss": 2,
    "arbeit": 3,
    "wohnen": 2,
    "beratung": 2,
    "gesundheit": 1,
    "mobilitaet": 1,
    "kinderbetreuung": 1,
}
# goals of open cases whose target date has passed: mostly reached, some overdue
PAST_TARGET_STATUSES = ("erreicht",) * 6 + ("verworfen",) * 2 + ("in_arbeit", "offen")
REVIEW_NOTES = (
    "Termin für die Prüfung steht fest.",
    "Bewerbungen sind verschickt, noch keine Antwort.",
    "Teilnahme regelmäßig, gute Fortschritte.",
    "Zwischenziel erreicht, weiter wie besprochen.",
    "Ziel angepasst, neuer Zeitplan vereinbart.",
    "Noch keine Rückmeldung vom Träger.",
)
CLOSING_REASONS = (
    "Ziele erreicht",
    "Ausbildung begonnen",
    "Arbeitsaufnahme",
    "Übergang in ein Regelangebot",
    "Wegzug",
    "Kein Kontakt mehr möglich",
)
# closing reason -> likely outcome at closure
REASON_OUTCOMES = {
    "Ziele erreicht": ("sprachniveau", "schule", "massnahme"),
    "Ausbildung begonnen": ("ausbildung",),
    "Arbeitsaufnahme": ("arbeit_svp", "arbeit_svp", "arbeit_geringfuegig"),
    "Übergang in ein Regelangebot": ("massnahme", "schule"),
    "Wegzug": ("wegzug",),
    "Kein Kontakt mehr möglich": ("unbekannt", "unbekannt", "ausreise"),
}
FOLLOW_UP_OUTCOMES = {
    "sprachniveau": ("sprachniveau", "massnahme", "ausbildung"),
    "schule": ("schule", "ausbildung"),
    "massnahme": ("massnahme", "ausbildung", "arbeit_geringfuegig", "unbekannt"),
    "ausbildung": ("ausbildung", "ausbildung", "ausbildung", "arbeit_svp"),
    "arbeit_svp": ("arbeit_svp", "arbeit_svp", "ausbildung"),
    "arbeit_geringfuegig": ("arbeit_geringfuegig", "arbeit_svp", "unbekannt"),
    "wegzug": ("unbekannt",),
    "unbekannt": ("unbekannt",),
    "ausreise": ("unbekannt",),
    "studium": ("studium",),
}
EPISODES_AFTER_ENTRY: tuple[tuple[str, str, str, int | None], ...] = (
    # kind, title, organisation, hours per week
    ("kurs", "Integrationskurs", "Volkshochschule", 20),
    ("kurs", "Jugendintegrationskurs", "Bildungsträger", 25),
    ("massnahme", "Berufsorientierung (Durchstarten F2)", "Bildungsträger", 15),
    ("schule", "Internationale Förderklasse am Berufskolleg", "Berufskolleg", 30),
    ("eq", "Einstiegsqualifizierung", "Handwerksbetrieb", 39),
    ("ausbildung", "Ausbildung zum Fachlageristen", "Logistikbetrieb", 39),
    ("arbeit", "Helfer in der Gastronomie", "Restaurant", 12),
    ("arbeit", "Produktionshelfer", "Zeitarbeitsfirma", 38),
    ("arbeitslos", "arbeitsuchend gemeldet", "Agentur für Arbeit", None),
)
RESULTS = {
    "kurs": ("B1 erreicht", "A2 erreicht", "abgebrochen"),
    "arbeit": ("befristeter Vertrag beendet", "abgebrochen"),
    "arbeitslos": ("",),
}


@dataclass
class CaseworkSeedStats:
    consents: int = 0
    closed: int = 0
    goals: int = 0
    reviews: int = 0
    contacts: int = 0
    episodes: int = 0
    outcomes: int = 0


def _weighted(pairs: list[tuple[Any, int]]) -> tuple[Any, ...]:
    return tuple(value for value, weight in pairs for _ in range(weight))


def _add_months(day: dt.date, months: int) -> dt.date:
    from teilhabe.participants.selectors_cases import add_months

    return add_months(day, months)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value.__class__ is str:
        return str(value).translate(_COPY_ESCAPES)
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


class _Insert:
    """Plain INSERTs (``executemany``; ``COPY`` on PostgreSQL) for the high-volume tables.

    ``bulk_create`` prepares every value through its model field, which costs more than the
    database work at 700,000 rows; here each row is a tuple of plain values (dates as the
    backend wants them) and the common columns (public id, created, updated, tenant) are
    added per row.
    """

    def __init__(self, model: Any, tenant_id: int, columns: list[str]) -> None:
        opts = model._meta
        quote = connection.ops.quote_name
        names = ["public_id", "created_at", "updated_at", "tenant_id", *columns]
        cols = ", ".join(quote(opts.get_field(n).column) for n in names)
        marks = ", ".join(["%s"] * len(names))
        self.sql = f"INSERT INTO {quote(opts.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(opts.db_table)} ({cols}) FROM STDIN"
        self.copy = connection.vendor == "postgresql"
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        self._prefix = (stamp, stamp, tenant_id)
        self._text_prefix = f"\t{now.isoformat()}\t{now.isoformat()}\t{tenant_id}\t"
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, *values: Any) -> None:
        self.rows.append(values)
        if len(self.rows) >= FLUSH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        uid = uuid.uuid4
        with connection.cursor() as cursor:
            if self.copy:
                # COPY is much faster than row-by-row statements on PostgreSQL
                prefix, text = self._text_prefix, _copy_text
                data = "".join(
                    [str(uid()) + prefix + "\t".join(map(text, row)) + "\n" for row in self.rows]
                )
                with cursor.cursor.copy(self.copy_sql) as copy:
                    copy.write(data)
            else:
                native = connection.features.has_native_uuid_field
                head = self._prefix
                cursor.executemany(
                    self.sql,
                    [((uid() if native else uid().hex), *head, *row) for row in self.rows],
                )
        self.count += len(self.rows)
        self.rows = []


@transaction.atomic
def seed_casework(
    seeder: Any, tenant: Tenant, *, today: dt.date | None = None
) -> CaseworkSeedStats:
    """Goals, reviews, contacts, education episodes, closures and outcomes for the existing
    cases of ``tenant``."""
    stats = CaseworkSeedStats()
    if (
        Goal.objects.filter(tenant=tenant).exists()
        or Contact.objects.filter(tenant=tenant).exists()
    ):
        return stats
    rng = seeder.rng
    rand, randint, choice = rng.random, rng.randint, rng.choice
    today = today or timezone.localdate()
    day = dt.timedelta(days=1)
    tid = tenant.pk
    d = connection.ops.adapt_datefield_value  # a date as the backend wants it

    cases = list(
        Case.objects.filter(tenant=tenant)
        .order_by("pk")
        .values_list("pk", "participant_id", "responsible_id", "intake_date", "status", "closed_on")
    )
    if not cases:
        return stats
    people = {
        pk: (birth, entry)
        for pk, birth, entry in Participant.objects.filter(tenant=tenant).values_list(
            "pk", "birth_date", "entry_date"
        )
    }
    categories = dict(Category.objects.filter(is_active=True).values_list("code", "pk"))
    goal_codes = _weighted([(c, w) for c, w in GOAL_WEIGHTS.items() if c in categories])
    kinds = _weighted([((k, m), w) for k, w, m in CONTACT_KINDS])
    with_consent = set(
        Consent.objects.filter(
            tenant=tenant, purpose="case_work", withdrawn_on__isnull=True
        ).values_list("participant_id", flat=True)
    )

    # 1. Consents where the case went beyond first contact, and closures of older cases.
    consents = _Insert(
        Consent,
        tid,
        ["participant", "purpose", "given_on", "form", "witness", "language", "recorded_by"],
    )
    closures: list[Case] = []
    reasons: dict[int, str] = {}
    plans: list[tuple[int, int, int, dt.date, str, dt.date | None]] = []
    for pk, participant_id, responsible_id, intake, status, closed_on in cases:
        if status != CaseStatus.FIRST_CONTACT and participant_id not in with_consent:
            consents.add(participant_id, "case_work", d(intake), "paper", "", "de", responsible_id)
            with_consent.add(participant_id)
        if (
            status in (CaseStatus.ACTIVE, CaseStatus.DORMANT)
            and (today - intake).days > 200
            and rand() < 0.3
        ):
            closed_on = intake + dt.timedelta(days=randint(150, (today - intake).days - 1))
            reasons[pk] = choice(CLOSING_REASONS)
            closures.append(
                Case(
                    pk=pk,
                    status=CaseStatus.CLOSED,
                    closed_on=closed_on,
                    closing_reason=reasons[pk],
                    version=F("version") + 1,
                )
            )
            status = CaseStatus.CLOSED
        plans.append((pk, participant_id, responsible_id, intake, status, closed_on))
    consents.flush()
    Case.objects.bulk_update(
        closures, ["status", "closed_on", "closing_reason", "version"], batch_size=1000
    )
    stats.consents, stats.closed = consents.count, len(closures)

    # 2. Contacts, goals and outcomes per case.
    contacts = _Insert(
        Contact,
        tid,
        ["case", "happened_on", "minutes", "kind", "topic", "note", "proof", "proof_by", "staff"],
    )
    goals = _Insert(
        Goal,
        tid,
        ["case", "category", "text", "target_date", "status", "agreed_with_participant", "urgency"],
    )
    goal_spans: list[tuple[dt.date, dt.date, str]] = []
    outcomes = _Insert(Outcome, tid, ["case", "moment", "kind", "recorded_on", "note"])
    for pk, participant_id, responsible_id, intake, status, closed_on in plans:
        if participant_id not in with_consent:
            continue  # first contact without consent: nothing beyond it is recorded
        end = closed_on if closed_on else today
        if status == CaseStatus.DORMANT:
            end = intake + (end - intake) * 2 // 3
        if status == CaseStatus.FIRST_CONTACT:
            count, offset = randint(1, 2), randint(0, 10)
        else:
            count = randint(6, 20)
            # some working cases are neglected: their last contact is long ago
            offset = randint(31, 90) if rand() < 0.15 else randint(0, 20)
        when = end - dt.timedelta(days=offset)
        for _ in range(count):
            if when < intake:
                break
            if when.weekday() > 4:
                when -= day * (when.weekday() - 4)
                if when < intake:
                    break
            kind, minutes = choice(kinds)
            proof = choice(PROOFS_REMOTE if kind in REMOTE else PROOFS_PERSONAL)
            contacts.add(
                pk,
                d(when),
                choice(minutes),
                kind,
                choice(THIRD_PARTY_TOPICS if kind == "dritte" else TOPICS),
                choice(NOTES) if rand() < 0.2 else "",
                proof,
                choice(COLLEAGUES) if proof == "zweite_fachkraft" else "",
                responsible_id,
            )
            when -= dt.timedelta(days=randint(3, 18))

        if status != CaseStatus.FIRST_CONTACT and goal_codes:
            for _ in range(randint(1, 4)):
                code = choice(goal_codes)
                target = intake + dt.timedelta(days=randint(60, 420))
                if closed_on:
                    goal_status = choice(("erreicht", "erreicht", "verworfen", "in_arbeit"))
                elif target < today:
                    goal_status = choice(PAST_TARGET_STATUSES)
                else:
                    goal_status = choice(("offen", "in_arbeit", "in_arbeit"))
                goals.add(
                    pk,
                    categories[code],
                    choice(GOALS[code]),
                    d(target),
                    goal_status,
                    rand() < 0.9,
                    choice((1, 2, 2, 3)),
                )
                goal_spans.append((intake, min(end, today), goal_status))

        if closed_on:
            reason = reasons.get(pk) or choice(CLOSING_REASONS)
            kind = choice(REASON_OUTCOMES.get(reason, ("unbekannt",)))
            outcomes.add(pk, "closure", kind, d(closed_on), "")
            for moment, months, chance in (("m6", 6, 0.55), ("m12", 12, 0.45)):
                due = _add_months(closed_on, months)
                if due > today or rand() > chance:
                    break
                kind = choice(FOLLOW_UP_OUTCOMES.get(kind, ("unbekannt",)))
                recorded = min(today, due + dt.timedelta(days=randint(0, 40)))
                outcomes.add(pk, moment, kind, d(recorded), "")
    for table in (contacts, goals, outcomes):
        table.flush()
    stats.contacts, stats.goals, stats.outcomes = contacts.count, goals.count, outcomes.count

    # 3. Reviews of the goals (the tenant had none before: keys in insertion order).
    goal_ids = Goal.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True)
    reviews = _Insert(GoalReview, tid, ["goal", "reviewed_on", "note", "status_after"])
    for goal_id, (start, stop, final) in zip(goal_ids, goal_spans, strict=True):
        span = (stop - start).days
        if span < 30:
            continue
        n = randint(0, 2)
        for i in range(n):
            reviewed = start + dt.timedelta(days=span * (i + 1) // (n + 1))
            status_after = final if i == n - 1 else "in_arbeit"
            reviews.add(goal_id, d(reviewed), choice(REVIEW_NOTES), status_after)
    reviews.flush()
    stats.reviews = reviews.count

    # 4. Education history: school before the flight, then episodes after entry.
    episodes = _Insert(
        EducationEpisode,
        tid,
        [
            "participant",
            "kind",
            "title",
            "organisation",
            "started_on",
            "ended_on",
            "hours_per_week",
            "marginal",
            "result",
            "progress",
        ],
    )
    for participant_id in sorted({p[1] for p in plans if p[1] in with_consent}):
        birth, entry = people[participant_id]
        school_start = _add_months(birth, 12 * 6 + 8)
        years = randint(3, 11)
        episodes.add(
            participant_id,
            "schule",
            "Schulbesuch im Herkunftsland",
            "",
            d(school_start),
            d(_add_months(school_start, 12 * years - 2)),
            None,
            False,
            "Abschluss nach Klasse 9 (nicht anerkannt)" if years >= 9 else "",
            False,
        )
        start = entry or _add_months(birth, 12 * 19)
        start = max(start, school_start + dt.timedelta(days=366 * years))
        for _ in range(randint(1, 3)):
            start += dt.timedelta(days=randint(30, 180))
            if start >= today:
                break
            kind, title, organisation, per_week = choice(EPISODES_AFTER_ENTRY)
            length = dt.timedelta(days=randint(90, 400))
            ongoing = start + length >= today
            marginal = kind == "arbeit" and per_week is not None and per_week < 15
            result = "" if ongoing else choice(RESULTS.get(kind, ("abgeschlossen", "abgebrochen")))
            episodes.add(
                participant_id,
                kind,
                title,
                organisation,
                d(start),
                None if ongoing else d(start + length),
                per_week,
                marginal,
                result,
                bool(result) and result != "abgebrochen" and rand() < 0.7,
            )
            if ongoing:
                break
            start += length
    episodes.flush()
    stats.episodes = episodes.count
    return stats

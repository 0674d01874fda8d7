"""Referral histories and volunteers for the demo and the NRW-scale seed (referrals area).

``seed_referrals(seeder, tenant)`` takes the cases that exist in a tenant (the people and
cases seeds create them) and adds:

* referrals to the tenant's offers, about 2.9 per case (200,000 at NRW scale), with their
  steps (``ReferralEvent``) spread over the whole flow: suggested, sent (some overdue),
  waiting list, accepted, declined with a reason, started, completed, dropped out with a
  reason, withdrawn.  Every sent referral has the participant's consent to share with the
  offer's provider; the released fields are the usual ones (name, phone, sometimes more).
  About one referral in eight goes to an offer of the tenant's first provider, whose staff
  includes the demo provider user ``traeger``, so that his pages are not empty.
  Provider steps are recorded with a staff member of the provider as actor where the
  provider has one, else with the case worker (the answer came by phone).
  Completed and dropped-out referrals add their education episode (as
  ``services_cases.episode_from_referral`` does).
* a volunteer record for every volunteer of the tenant (demo user ``ehrenamt``), some with a
  police clearance certificate older than five years, with two to four assignments to
  participants of open cases (each with the volunteer consent) and logged meetings.

Deterministic for a given ``seeder.rng`` and ``today`` (default: the current date, so that the
demo always has answers due and overdue).  Written with ``bulk_create`` in chunks of cases;
no services and no per-row audit events.  Idempotent: a tenant with referrals keeps them, a
tenant with assignments keeps them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from teilhabe.accounts.models import Membership, Tenant
from teilhabe.accounts.roles import Role
from teilhabe.offers.models import Offer, Provider
from teilhabe.participants.models import (
    Case,
    CaseStatus,
    Consent,
    EducationEpisode,
    EpisodeKind,
    Referral,
    ReferralEvent,
    ReferralStatus,
    VolunteerAssignment,
    VolunteerMeeting,
    VolunteerProfile,
)

CHUNK = 4000  # cases per round trip
BATCH = 2000

S = ReferralStatus
# how many referrals a case has (mean about 2.9)
PER_CASE = (0,) * 4 + (1,) * 10 + (2,) * 26 + (3,) * 30 + (4,) * 18 + (5,) * 8 + (6,) * 4
# final status -> weight (open cases); closed cases only end in a final status
FINAL_WEIGHTS: list[tuple[str, int]] = [
    (S.SUGGESTED, 8),
    (S.SENT, 12),
    (S.WAITING_LIST, 6),
    (S.ACCEPTED, 10),
    (S.DECLINED, 10),
    (S.STARTED, 14),
    (S.COMPLETED, 22),
    (S.DROPPED_OUT, 8),
    (S.WITHDRAWN, 10),
]
CLOSED_FINALS = (S.COMPLETED,) * 5 + (S.DROPPED_OUT,) * 2 + (S.DECLINED,) * 2 + (S.WITHDRAWN,)
# possible step chains ending in each status
CHAINS: dict[str, list[list[str]]] = {
    S.SUGGESTED: [[S.SUGGESTED]],
    S.SENT: [[S.SUGGESTED, S.SENT]],
    S.WAITING_LIST: [[S.SUGGESTED, S.SENT, S.WAITING_LIST]],
    S.ACCEPTED: [
        [S.SUGGESTED, S.SENT, S.ACCEPTED],
        [S.SUGGESTED, S.SENT, S.WAITING_LIST, S.ACCEPTED],
    ],
    S.DECLINED: [
        [S.SUGGESTED, S.SENT, S.DECLINED],
        [S.SUGGESTED, S.SENT, S.WAITING_LIST, S.DECLINED],
    ],
    S.STARTED: [[S.SUGGESTED, S.SENT, S.ACCEPTED, S.STARTED]],
    S.COMPLETED: [[S.SUGGESTED, S.SENT, S.ACCEPTED, S.STARTED, S.COMPLETED]],
    S.DROPPED_OUT: [[S.SUGGESTED, S.SENT, S.ACCEPTED, S.STARTED, S.DROPPED_OUT]],
    S.WITHDRAWN: [
        [S.SUGGESTED, S.WITHDRAWN],
        [S.SUGGESTED, S.SENT, S.WITHDRAWN],
        [S.SUGGESTED, S.SENT, S.ACCEPTED, S.WITHDRAWN],
    ],
}
# days before a step (after the previous one): (min, max)
GAPS: dict[str, tuple[int, int]] = {
    S.SENT: (0, 7),
    S.WAITING_LIST: (2, 16),
    S.ACCEPTED: (2, 20),
    S.DECLINED: (2, 20),
    S.STARTED: (5, 45),
    S.COMPLETED: (40, 200),
    S.DROPPED_OUT: (10, 120),
    S.WITHDRAWN: (1, 30),
}
PROVIDER_STEPS = {S.WAITING_LIST, S.ACCEPTED, S.DECLINED, S.STARTED, S.COMPLETED, S.DROPPED_OUT}
OPEN_FINALS = {S.SUGGESTED, S.SENT, S.WAITING_LIST, S.ACCEPTED}
REASONS: dict[str, tuple[str, ...]] = {
    S.DECLINED: (
        "Kurs ist voll",
        "Sprachniveau reicht noch nicht",
        "Teilnahmevoraussetzungen nicht erfüllt",
        "Person ist zum Erstgespräch nicht erschienen",
        "Kein Platz im gewünschten Zeitraum",
    ),
    S.DROPPED_OUT: (
        "Arbeitsaufnahme",
        "Umzug in eine andere Kommune",
        "Familiäre Gründe",
        "Zu viele Fehlzeiten",
        "Wechsel in eine andere Maßnahme",
    ),
    S.WITHDRAWN: (
        "Person hat eine Arbeit gefunden",
        "Anderes Angebot passt besser",
        "Person möchte nicht mehr teilnehmen",
        "",
    ),
}
RELEASES = (
    ["name", "phone"],
    ["name", "phone"],
    ["name", "phone", "german_level"],
    ["name", "birth_date", "phone", "languages"],
    ["name", "email", "german_level", "note"],
)
NOTES = (
    "Bitte telefonisch Kontakt aufnehmen, am besten nachmittags.",
    "Die Person bringt ihre Zeugnisse zum Erstgespräch mit.",
    "Bitte auf Dolmetschung achten (Arabisch).",
)
EPISODE_KINDS = {
    "sprache": EpisodeKind.COURSE,
    "schulabschluss": EpisodeKind.SCHOOL,
    "berufsorientierung": EpisodeKind.MEASURE,
    "ausbildung": EpisodeKind.TRAINING,
    "arbeit": EpisodeKind.MEASURE,
}
PROGRESS_CATEGORIES = {"schulabschluss", "ausbildung"}
AVAILABILITY = (
    "dienstags und donnerstags nachmittags",
    "samstags vormittags",
    "werktags ab 17 Uhr",
    "flexibel nach Absprache",
    "mittwochs ganztags",
)
VOLUNTEER_LANGUAGES = (["de"], ["de", "en"], ["de", "ar"], ["de", "fa"], ["de", "uk"], ["de", "tr"])
MEETING_NOTES = (
    "Bewerbung gemeinsam geschrieben",
    "Hausaufgaben im Deutschkurs",
    "Begleitung zum Jobcenter",
    "Stadtbücherei angemeldet",
    "Fahrradwerkstatt besucht",
    "Gespräch über die Ausbildung",
    "",
)


@dataclass
class ReferralSeedStats:
    referrals: int = 0
    events: int = 0
    consents: int = 0
    episodes: int = 0
    volunteers: int = 0
    assignments: int = 0
    meetings: int = 0


def _weighted(pairs: list[tuple[str, int]]) -> tuple[str, ...]:
    return tuple(value for value, weight in pairs for _ in range(weight))


@dataclass(frozen=True)
class _Offer:
    pk: int
    provider_id: int
    category: str
    title: str
    provider_name: str
    target_level: str
    start: dt.date | None
    end: dt.date | None


@transaction.atomic
def seed_referrals(
    seeder: Any, tenant: Tenant, *, today: dt.date | None = None
) -> ReferralSeedStats:
    """Referrals with their steps, sharing consents and episodes; volunteers with
    assignments and meetings (see the module docstring)."""
    today = today or timezone.localdate()
    stats = ReferralSeedStats()
    if not Referral.objects.filter(tenant=tenant).exists():
        _seed_referrals(seeder, tenant, today, stats)
    if not VolunteerAssignment.objects.filter(tenant=tenant).exists():
        _seed_volunteers(seeder, tenant, today, stats)
    return stats


def _offers(tenant: Tenant) -> tuple[list[_Offer], list[_Offer]]:
    values = (
        Offer.objects.filter(tenant=tenant)
        .exclude(status="pausiert")
        .order_by("pk")
        .values_list(
            "pk",
            "provider_id",
            "category__code",
            "title",
            "provider__name",
            "language_level_target",
            "start_date",
            "end_date",
        )
    )
    rows = [
        _Offer(pk, provider, category, title, name, target or "", start, end)
        for pk, provider, category, title, name, target, start, end in values
    ]
    first = (
        Provider.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True).first()
    )
    return rows, [o for o in rows if o.provider_id == first]


def _staff_of(tenant: Tenant) -> dict[int, int]:
    """provider pk -> the first staff member (user pk) with a provider role in the tenant."""
    members = set(
        Membership.objects.filter(tenant=tenant, role=Role.PROVIDER, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    result: dict[int, int] = {}
    through = Provider.staff.through
    for provider_id, user_id in (
        through.objects.filter(provider__tenant=tenant)
        .order_by("provider_id", "user_id")
        .values_list("provider_id", "user_id")
    ):
        if user_id in members:
            result.setdefault(provider_id, user_id)
    return result


def _seed_referrals(seeder: Any, tenant: Tenant, today: dt.date, stats: ReferralSeedStats) -> None:
    rng = seeder.rng
    randint, choice, rand = rng.randint, rng.choice, rng.random
    offers, first_offers = _offers(tenant)
    if not offers:
        return
    staff = _staff_of(tenant)
    answer_days = dt.timedelta(days=int(settings.TEILHABE_REFERRAL_ANSWER_DAYS))
    finals = _weighted(FINAL_WEIGHTS)
    tid = tenant.pk
    day = dt.timedelta(days=1)
    case_ids = list(Case.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        cases = list(
            Case.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list(
                "pk", "participant_id", "responsible_id", "intake_date", "status", "closed_on"
            )
        )
        participants = {c[1] for c in cases}
        shared = set(
            Consent.objects.filter(
                tenant=tenant,
                purpose="share_provider",
                participant_id__in=participants,
                withdrawn_on__isnull=True,
            ).values_list("participant_id", "provider_id")
        )
        plans: list[tuple[Referral, list[tuple[str, dt.date, int, str]], _Offer, int]] = []
        consents: list[Consent] = []
        for case_pk, participant_id, responsible_id, intake, status, closed_on in cases:
            closed = status == CaseStatus.CLOSED
            end = min(closed_on or today, today)
            span = max((end - intake).days, 0)
            used: set[int] = set()
            for _n in range(choice(PER_CASE)):
                pool = first_offers if first_offers and rand() < 0.125 else offers
                offer = choice(pool)
                if offer.pk in used:
                    offer = choice(offers)
                    if offer.pk in used:
                        continue
                used.add(offer.pk)
                final = choice(CLOSED_FINALS) if closed else choice(finals)
                chain = choice(CHAINS[final])
                gaps = [0] + [randint(*GAPS[st]) for st in chain[1:]]
                total = sum(gaps)
                if final in OPEN_FINALS:
                    # open referrals are recent: the last step within the last five weeks
                    last = today - dt.timedelta(days=randint(0, 35))
                    first_day = max(intake, last - dt.timedelta(days=total))
                elif total >= span:
                    gaps = [g * span // total if total else 0 for g in gaps]
                    first_day = intake
                else:
                    first_day = intake + dt.timedelta(days=randint(0, span - total))
                steps: list[tuple[str, dt.date, int, str]] = []
                on = first_day
                for st, gap in zip(chain, gaps, strict=True):
                    on = min(on + gap * day, today)
                    actor = responsible_id
                    if st in PROVIDER_STEPS:
                        actor = staff.get(offer.provider_id, responsible_id)
                    reason = choice(REASONS[st]) if st in REASONS else ""
                    steps.append((st, on, actor, reason))
                sent = next((d for st, d, _a, _r in steps if st == S.SENT), None)
                released: list[str] = []
                note = ""
                if sent is not None:
                    released = list(choice(RELEASES))
                    if "note" in released:
                        note = choice(NOTES)
                    if (participant_id, offer.provider_id) not in shared:
                        shared.add((participant_id, offer.provider_id))
                        consents.append(
                            Consent(
                                tenant_id=tid,
                                participant_id=participant_id,
                                purpose="share_provider",
                                provider_id=offer.provider_id,
                                given_on=max(intake, sent - dt.timedelta(days=randint(0, 10))),
                                form=choice(("paper", "paper", "digital", "verbal")),
                                witness="",
                                language="de",
                                recorded_by_id=responsible_id,
                            )
                        )
                referral = Referral(
                    tenant_id=tid,
                    case_id=case_pk,
                    offer_id=offer.pk,
                    status=final,
                    sent_on=sent,
                    answer_due=sent + answer_days if sent else None,
                    reason=steps[-1][3],
                    released_fields=released,
                    note_to_provider=note,
                )
                plans.append((referral, steps, offer, participant_id))
        Consent.objects.bulk_create(consents, batch_size=BATCH)
        created = Referral.objects.bulk_create([p[0] for p in plans], batch_size=BATCH)
        events: list[ReferralEvent] = []
        episodes: list[EducationEpisode] = []
        for referral, (_r, steps, offer, participant_id) in zip(created, plans, strict=True):
            for st, on, actor, reason in steps:
                events.append(
                    ReferralEvent(
                        tenant_id=tid,
                        referral_id=referral.pk,
                        status=st,
                        happened_on=on,
                        actor_id=actor,
                        reason=reason,
                    )
                )
            if referral.status in (S.COMPLETED, S.DROPPED_OUT):
                begun = next(d for st, d, _a, _r in steps if st == S.STARTED)
                ended = steps[-1][1]
                completed = referral.status == S.COMPLETED
                episodes.append(
                    EducationEpisode(
                        tenant_id=tid,
                        participant_id=participant_id,
                        kind=EPISODE_KINDS.get(offer.category, EpisodeKind.COURSE),
                        title=offer.title[:200],
                        organisation=offer.provider_name[:200],
                        started_on=begun,
                        ended_on=ended,
                        result="abgeschlossen" if completed else f"abgebrochen: {referral.reason}",
                        progress=completed
                        and (offer.category in PROGRESS_CATEGORIES or bool(offer.target_level)),
                        referral_id=referral.pk,
                    )
                )
        ReferralEvent.objects.bulk_create(events, batch_size=BATCH)
        EducationEpisode.objects.bulk_create(episodes, batch_size=BATCH)
        stats.referrals += len(created)
        stats.events += len(events)
        stats.consents += len(consents)
        stats.episodes += len(episodes)


def _seed_volunteers(seeder: Any, tenant: Tenant, today: dt.date, stats: ReferralSeedStats) -> None:
    rng = seeder.rng
    randint, choice, rand = rng.randint, rng.choice, rng.random
    tid = tenant.pk
    volunteers = list(
        Membership.objects.filter(tenant=tenant, role=Role.VOLUNTEER, is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    if not volunteers:
        return
    have = set(VolunteerProfile.objects.filter(tenant=tenant).values_list("user_id", flat=True))
    profiles = []
    for user_id in volunteers:
        if user_id in have:
            continue
        r = rand()
        cleared = (
            None
            if r < 0.1
            else today - dt.timedelta(days=randint(2000, 2600) if r < 0.25 else randint(30, 1500))
        )
        profiles.append(
            VolunteerProfile(
                tenant_id=tid,
                user_id=user_id,
                availability=choice(AVAILABILITY),
                languages=list(choice(VOLUNTEER_LANGUAGES)),
                police_clearance_on=cleared,
            )
        )
    VolunteerProfile.objects.bulk_create(profiles, batch_size=BATCH)
    stats.volunteers = len(profiles)
    open_cases = list(
        Case.objects.filter(
            tenant=tenant,
            status__in=[CaseStatus.FIRST_CONTACT, CaseStatus.ACTIVE, CaseStatus.DORMANT],
            participant__merged_into__isnull=True,
            participant__anonymised_at__isnull=True,
        )
        .order_by("pk")
        .values_list("participant_id", "responsible_id", "intake_date")[:2000]
    )
    if not open_cases:
        return
    consented = set(
        Consent.objects.filter(
            tenant=tenant, purpose="volunteer", withdrawn_on__isnull=True
        ).values_list("participant_id", flat=True)
    )
    taken: set[int] = set()
    consents: list[Consent] = []
    plans: list[tuple[VolunteerAssignment, list[tuple[dt.date, int, str]]]] = []
    for user_id in volunteers:
        count = min(randint(2, 4), len(open_cases))
        for participant_id, responsible_id, intake in rng.sample(open_cases, count):
            if participant_id in taken:
                continue
            taken.add(participant_id)
            started = max(intake, today - dt.timedelta(days=randint(20, 300)))
            if participant_id not in consented:
                consented.add(participant_id)
                consents.append(
                    Consent(
                        tenant_id=tid,
                        participant_id=participant_id,
                        purpose="volunteer",
                        given_on=started,
                        form="paper",
                        language="de",
                        recorded_by_id=responsible_id,
                    )
                )
            ended = None
            if rand() < 0.2 and (today - started).days > 30:
                ended = started + dt.timedelta(days=randint(14, (today - started).days - 2))
            last = min(ended or today, today)
            meetings = []
            for _m in range(randint(2, 8)):
                span = max((last - started).days, 0)
                meetings.append(
                    (
                        started + dt.timedelta(days=randint(0, span)),
                        choice((45, 60, 60, 90, 120)),
                        choice(MEETING_NOTES),
                    )
                )
            assignment = VolunteerAssignment(
                tenant_id=tid,
                volunteer_id=user_id,
                participant_id=participant_id,
                started_on=started,
                ended_on=ended,
            )
            plans.append((assignment, meetings))
    Consent.objects.bulk_create(consents, batch_size=BATCH)
    created = VolunteerAssignment.objects.bulk_create([p[0] for p in plans], batch_size=BATCH)
    rows = [
        VolunteerMeeting(
            tenant_id=tid, assignment_id=a.pk, happened_on=on, minutes=minutes, note=note
        )
        for a, (_a, meetings) in zip(created, plans, strict=True)
        for on, minutes, note in meetings
    ]
    VolunteerMeeting.objects.bulk_create(rows, batch_size=BATCH)
    stats.assignments, stats.meetings = len(created), len(rows)

"""Deterministic demo and scale data.  ``manage.py seed --scale kreis|nrw --seed N``.

Later capabilities add their data here; every builder takes the same ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from teilhabe.accounts.models import Membership, Tenant, User
from teilhabe.accounts.roles import Role
from teilhabe.offers.models import (
    Category,
    FundingSource,
    Offer,
    OfferLocation,
    OfferSchedule,
    Provider,
    RuleSetRecord,
)
from teilhabe.offers.services import programme_rule_sets_load
from teilhabe.territory.models import Territory, gemeinden_in
from teilhabe.territory.services import territories_load

from .names import FIRST_NAMES, LAST_NAMES
from .offers_data import OFFERS, PROVIDERS, TRANSLATIONS

DEMO_PASSWORD = "Teilhabe-Demo-2026"  # noqa: S105 - printed for the demo

# username, role in the main demo tenant, description (German, printed for the demo)
DEMO_USERS: list[tuple[str, Role, str]] = [
    ("koordination", Role.COORDINATION, "Geschäftsführende Stelle (auch in Bielefeld)"),
    ("fallarbeit", Role.CASE_WORKER, "Teilhabemanagement / Coaching"),
    ("ehrenamt", Role.VOLUNTEER, "Ehrenamt"),
    ("traeger", Role.PROVIDER, "Träger"),
    ("buendnis", Role.ALLIANCE_MEMBER, "Bündnis-Mitglied"),
    ("evaluation", Role.EVALUATOR, "Evaluation"),
    ("verwaltung", Role.TENANT_ADMIN, "Administration"),
]


@dataclass
class SeedResult:
    tenants: list[Tenant] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


class Seeder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.password_hash = make_password(DEMO_PASSWORD)

    def person_name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def user(self, username: str, **extra: object) -> User:
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        first, last = self.person_name()
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.teilhabe.invalid",
            password=self.password_hash,
            **extra,
        )
        user.save()
        return user

    def tenant(self, territory: Territory, name: str | None = None) -> Tenant:
        tenant, _ = Tenant.objects.get_or_create(
            territory=territory, defaults={"name": name or territory.name}
        )
        return tenant

    @staticmethod
    def grant(tenant: Tenant, user: User, role: Role) -> None:
        Membership.objects.get_or_create(tenant=tenant, user=user, role=role)


STREETS = [
    "Bahnhofstraße",
    "Hauptstraße",
    "Kirchstraße",
    "Schulstraße",
    "Marktplatz",
    "Berliner Straße",
    "Lindenweg",
    "Am Stadtpark",
    "Friedrich-Ebert-Straße",
    "Kolpingstraße",
    "Industriestraße",
]
STATUS_WEIGHTS = [("aktiv", 6), ("geplant", 2), ("pausiert", 1), ("beendet", 1)]


def tenant_rule_sets(tenant: Tenant) -> dict[str, RuleSetRecord]:
    """Each tenant's offers use the programme's participant rules without the programme
    period (the Land's funding period is checked on the Förderbaustein, not on the offer)."""
    result: dict[str, RuleSetRecord] = {}
    for record in RuleSetRecord.objects.filter(tenant=None):
        definition = dict(record.definition)
        definition["criteria"] = [
            c for c in definition.get("criteria", []) if c.get("kind") != "within_period"
        ]
        definition["code"] = f"{record.code}.angebot"
        definition["valid_until"] = None
        copy, _ = RuleSetRecord.objects.get_or_create(
            tenant=tenant,
            code=definition["code"],
            defaults={
                "name": f"{record.name} (Teilnahmeregeln für Angebote)",
                "definition": definition,
                "valid_from": record.valid_from,
            },
        )
        result[record.code] = copy
    return result


def seed_offers(s: Seeder, tenant: Tenant, count: int, provider_count: int) -> None:
    """Providers and offers for one tenant, spread over its Gemeinden."""
    if Offer.objects.filter(tenant=tenant).exists():
        return
    import datetime as dt
    from decimal import Decimal

    rng = s.rng
    gemeinden = list(gemeinden_in(tenant.territory))
    place = tenant.territory.name.replace("Kreis ", "").replace("Stadt ", "")
    categories = {c.code: c for c in Category.objects.all()}
    fundings = {f.code: f for f in FundingSource.objects.all()}
    rules = tenant_rule_sets(tenant)
    providers = []
    for i in range(provider_count):
        base, kind = PROVIDERS[i % len(PROVIDERS)]
        name = (
            f"{base} {place}" if i < len(PROVIDERS) else f"{base} {place} {i // len(PROVIDERS) + 1}"
        )
        g = rng.choice(gemeinden)
        providers.append(
            Provider(
                tenant=tenant,
                name=name,
                kind=kind,
                email=f"kontakt{i}@traeger.demo.invalid",
                phone=f"05241 {rng.randint(10000, 99999)}",
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postcode=f"{33000 + (int(g.ags[-3:]) * 7) % 999:05d}",
                city=g.name,
                contact_name=" ".join(s.person_name()),
            )
        )
    Provider.objects.bulk_create(providers)
    providers = list(Provider.objects.filter(tenant=tenant).order_by("pk"))
    by_kind: dict[str, list[Provider]] = {}
    for p in providers:
        by_kind.setdefault(p.kind, []).append(p)
    statuses = [st for st, w in STATUS_WEIGHTS for _ in range(w)]
    offers: list[Offer] = []
    today = dt.date(2026, 11, 1)
    for i in range(count):
        t = OFFERS[i % len(OFFERS)]
        run = i // len(OFFERS) + 1
        start = today + dt.timedelta(days=rng.randint(-200, 150))
        hours = t.get("hours")
        end = start + dt.timedelta(days=rng.choice([60, 90, 120, 180, 270])) if hours else None
        capacity = (
            rng.choice([None, 8, 12, 15, 16, 20, 25]) if hours else rng.choice([None, 10, 30])
        )
        taken = rng.randint(0, capacity) if capacity else 0
        title = str(t["title"])
        offers.append(
            Offer(
                tenant=tenant,
                key=f"{t['category']}-{i + 1:04d}",
                title=title if run == 1 else f"{title} ({run}. Durchgang)",
                description=str(t["description"]),
                translations=TRANSLATIONS.get(title, {}),
                category=categories[str(t["category"])],
                funding=fundings.get(str(t.get("funding", ""))),
                provider=rng.choice(providers),
                status=rng.choice(statuses),
                start_date=start,
                end_date=end,
                teaching_hours=hours,  # type: ignore[misc]
                capacity=capacity,
                seats_taken=taken,
                waiting_list=rng.choice([0, 0, 0, 2, 5]) if capacity and taken == capacity else 0,
                languages=list(t.get("languages", ["de"])),  # type: ignore[call-overload]
                language_level_required=str(t.get("required", "")),
                language_level_target=str(t.get("target", "")),
                min_age=18 if t.get("rules") else None,
                max_age=t.get("max_age", 27 if t.get("rules") else None),
                cost=Decimal(str(t.get("cost", "0"))),
                travel_costs_reimbursed=bool(t.get("rules")) and rng.random() < 0.6,
                childcare_reimbursed=bool(t.get("childcare")),
                women_only=bool(t.get("women_only")),
                childcare_on_site=bool(t.get("childcare")),
                wheelchair_accessible=rng.random() < 0.5,
                contact_name=" ".join(s.person_name()),
                contact_email=f"angebot{i + 1}@traeger.demo.invalid",
                rule_set=rules.get(str(t.get("rules", ""))),
            )
        )
    Offer.objects.bulk_create(offers)
    saved = list(Offer.objects.filter(tenant=tenant).order_by("pk"))
    locations, schedules = [], []
    for offer in saved:
        g = rng.choice(gemeinden)
        locations.append(
            OfferLocation(
                tenant=tenant,
                offer=offer,
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postcode=f"{33000 + (int(g.ags[-3:]) * 7) % 999:05d}",
                city=g.name,
                gemeinde=g,
            )
        )
        for day in rng.sample(range(1, 6), rng.choice([1, 2, 3])):
            opens = dt.time(rng.choice([8, 9, 10, 14, 16]), rng.choice([0, 30]))
            schedules.append(
                OfferSchedule(
                    tenant=tenant,
                    offer=offer,
                    weekday=day,
                    opens_at=opens,
                    closes_at=dt.time(opens.hour + rng.choice([2, 3]), opens.minute),
                )
            )
    OfferLocation.objects.bulk_create(locations)
    OfferSchedule.objects.bulk_create(schedules)


@transaction.atomic
def seed_kreis(seed: int = 1) -> SeedResult:
    """The demo: Kreis Gütersloh with every role, Bielefeld and Dormagen beside it."""
    territories_load()
    programme_rule_sets_load()
    s = Seeder(seed)
    result = SeedResult()
    main = s.tenant(Territory.objects.get(ags="05754"))
    bielefeld = s.tenant(Territory.objects.get(ags="05711"))
    dormagen = s.tenant(Territory.objects.get(name="Dormagen"), "Stadt Dormagen")
    result.tenants = [main, bielefeld, dormagen]

    s.user("admin", is_superuser=True, is_staff=True)
    result.logins.append(("admin", "Plattform-Administration (Mandanten, Land-Zugänge)"))
    s.user("land", is_land=True)
    result.logins.append(("land", "Land (Ministerium, LaKI): landesweite Übersicht"))
    for username, role, label in DEMO_USERS:
        user = s.user(username)
        s.grant(main, user, role)
        result.logins.append((username, f"{label} – {main.name}"))
    s.grant(bielefeld, User.objects.get(username="koordination"), Role.COORDINATION)
    for tenant, prefix in ((bielefeld, "bielefeld"), (dormagen, "dormagen")):
        for role in (Role.COORDINATION, Role.CASE_WORKER, Role.TENANT_ADMIN):
            username = f"{prefix}.{role.value}"
            s.grant(tenant, s.user(username), role)
        result.logins.append((f"{prefix}.case_worker", f"Fallarbeit – {tenant.name}"))
    # A few more case workers in the demo Kreis, so lists are not empty.
    for i in range(1, 6):
        s.grant(main, s.user(f"coach{i}"), Role.CASE_WORKER)
    seed_offers(s, main, count=150, provider_count=24)
    seed_offers(s, bielefeld, count=40, provider_count=10)
    # The demo provider account maintains the offers of the first provider.
    first = Provider.objects.filter(tenant=main).order_by("pk").first()
    if first is not None:
        first.staff.add(User.objects.get(username="traeger"))
    seed_casework_for(s, main, participants=300)
    seed_casework_for(s, bielefeld, participants=40)
    from .needs import seed_needs, seed_needs_figures  # before the alliance: it links gaps

    seed_needs(s, main, User.objects.get(username="koordination"))
    seed_needs_figures(s, bielefeld, base_total=1400)
    from .alliance import seed_alliance  # the demo Kreis only: seed_nrw stays cheap

    seed_alliance(s, main)
    return result


def seed_casework_for(s: Seeder, tenant: Tenant, *, participants: int) -> None:
    """Participants with histories, then their plans, contacts, referrals and volunteers."""
    from .casework import seed_participants
    from .casework_cases import seed_casework
    from .casework_referrals import seed_referrals

    seed_participants(s, tenant, participants)
    seed_casework(s, tenant)
    seed_referrals(s, tenant)


@transaction.atomic
def seed_nrw(seed: int = 1, *, with_casework: bool = True) -> SeedResult:
    """73 tenants: every Kreis, the StädteRegion, every kreisfreie Stadt, Aachen and
    kreisangehörige Städte, each with a user of every role."""
    result = seed_kreis(seed)
    s = Seeder(seed)
    candidates = list(Territory.objects.top_level().order_by("ags"))
    candidates.append(Territory.objects.get(ags="05334002"))  # Aachen
    gemeinden = list(Territory.objects.filter(kind="kreisangehoerige_gemeinde").order_by("ags"))
    s.rng.shuffle(gemeinden)
    existing = set(Tenant.objects.values_list("territory_id", flat=True))
    wanted = [t for t in candidates if t.pk not in existing]
    for g in gemeinden:
        if len(existing) + len(wanted) >= 73:
            break
        if g.pk not in existing and g not in wanted:
            wanted.append(g)
    for territory in wanted:
        tenant = s.tenant(territory)
        for role in Role:
            if role is Role.LAND:
                continue
            s.grant(tenant, s.user(f"{role.value}.{territory.ags}"), role)
    # About 3,000 offers in all: 150 in the demo Kreis, 40 in every other tenant; about
    # 70,000 participants (960 per tenant) with their case work.
    for tenant in Tenant.objects.exclude(territory__ags="05754").order_by("pk"):
        seed_offers(s, tenant, count=40, provider_count=10)
    if with_casework:
        for tenant in Tenant.objects.order_by("pk"):
            seed_casework_for(s, tenant, participants=960)
    from .needs import seed_needs_figures  # one cheap set of figures per tenant

    for tenant in Tenant.objects.order_by("pk"):
        seed_needs_figures(s, tenant, by_gemeinde=False)
    result.tenants = list(Tenant.objects.all())
    return result

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
from teilhabe.territory.models import Territory
from teilhabe.territory.services import territories_load

from .names import FIRST_NAMES, LAST_NAMES

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


@transaction.atomic
def seed_kreis(seed: int = 1) -> SeedResult:
    """The demo: Kreis Gütersloh with every role, Bielefeld and Dormagen beside it."""
    territories_load()
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
    return result


@transaction.atomic
def seed_nrw(seed: int = 1) -> SeedResult:
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
    result.tenants = list(Tenant.objects.all())
    return result

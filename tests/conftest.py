"""Personas and helpers shared by the whole suite (unit, access matrix, e2e)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from teilhabe.accounts.models import Membership, Tenant, User
from teilhabe.accounts.roles import TENANT_ROLES, Role
from teilhabe.territory.models import Territory
from teilhabe.territory.services import territories_load

PASSWORD = "Sicheres-Testpasswort-2026"

# Property tests check results, not speed: `make test` runs two suites side by side on a shared
# machine, where a single slow draw must not fail a test (timing lives in `make bench`).
hypothesis_settings.register_profile(
    "teilhabe", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("teilhabe")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the 433 reference territories once into the test database."""
    with django_db_blocker.unblock():
        territories_load()


@pytest.fixture
def territories(db: None) -> None:
    # Transactional tests (e2e) flush the database, data migrations included; load again.
    if Territory.objects.count() < 433:
        territories_load()
    from teilhabe.offers.models import Category
    from teilhabe.offers.services import taxonomy_load

    if not Category.objects.exists():
        taxonomy_load()


def make_user(username: str, **extra: object) -> User:
    user = User(username=username, email=f"{username}@example.org", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def verify_second_factor(client: Client, user: User) -> TOTPDevice:
    """Mark the client's session as verified with a real TOTP device of the user."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return device


def login(client: Client, user: User | None) -> Client:
    """Sign in as ``user`` with a verified second factor (None: stay anonymous)."""
    if user is not None:
        client.force_login(user)
        verify_second_factor(client, user)
    return client


@dataclass
class World:
    tenant: Tenant
    other_tenant: Tenant
    users: dict[str, User] = field(default_factory=dict)

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else self.users[persona]


# Personas of the access matrix: every role in ``tenant``, a member of another tenant,
# the platform administrator, a state user and an anonymous visitor.
PERSONAS = [r.value for r in TENANT_ROLES] + ["other_tenant", "platform_admin", "land", "anonymous"]


@pytest.fixture
def world(territories: None) -> World:
    tenant = Tenant.objects.create(
        name="Kreis Gütersloh", territory=Territory.objects.get(ags="05754")
    )
    other = Tenant.objects.create(
        name="Stadt Bielefeld", territory=Territory.objects.get(ags="05711")
    )
    w = World(tenant=tenant, other_tenant=other)
    for role in TENANT_ROLES:
        user = make_user(f"user_{role.value}", first_name="Test", last_name=role.label)
        Membership.objects.create(tenant=tenant, user=user, role=role)
        w.users[role.value] = user
    stranger = make_user("stranger", first_name="Fremde", last_name="Person")
    for role in TENANT_ROLES:
        Membership.objects.create(tenant=other, user=stranger, role=role)
    w.users["other_tenant"] = stranger
    w.users["platform_admin"] = make_user("platform", is_superuser=True, is_staff=True)
    w.users["land"] = make_user("landuser", is_land=True)
    return w


@pytest.fixture
def as_role(client: Client, world: World):  # type: ignore[no-untyped-def]
    """``as_role("tenant_admin")`` returns a client signed in as that persona."""

    def _login(persona: str) -> Client:
        c = Client()
        return login(c, world.user(persona))

    return _login


__all__ = ["PASSWORD", "PERSONAS", "Role", "World", "login", "make_user", "verify_second_factor"]

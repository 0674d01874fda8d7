from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from teilhabe.accounts import policy
from teilhabe.accounts.models import Membership, Tenant, User
from teilhabe.accounts.roles import Cap
from teilhabe.audit.models import AuditEvent
from teilhabe.territory.models import Territory

from .conftest import World, login


def test_can_require_and_scope(world: World) -> None:
    admin, volunteer, stranger = (
        world.users[k] for k in ("tenant_admin", "volunteer", "other_tenant")
    )
    assert policy.can(admin, Cap.USERS_MANAGE, world.tenant)
    assert not policy.can(volunteer, Cap.USERS_MANAGE, world.tenant)
    assert not policy.can(stranger, Cap.USERS_MANAGE, world.tenant)
    assert policy.can(stranger, Cap.USERS_MANAGE, world.other_tenant)
    with pytest.raises(PermissionDenied):
        policy.require(volunteer, Cap.AUDIT_VIEW_TENANT, world.tenant)
    scoped = policy.scope(admin, Cap.TENANT_ENTER, Membership.objects.all())
    assert set(scoped.values_list("tenant_id", flat=True)) == {world.tenant.pk}
    assert (
        policy.scope(world.users["land"], Cap.TENANT_ENTER, Membership.objects.all()).count() == 0
    )
    # an object carrying a tenant is judged by its tenant
    membership = Membership.objects.filter(tenant=world.other_tenant).first()
    assert not policy.can(admin, Cap.USERS_MANAGE, membership)


def test_inactive_tenant_or_user_grants_nothing(world: World) -> None:
    admin = world.users["tenant_admin"]
    Tenant.objects.filter(pk=world.tenant.pk).update(is_active=False)
    fresh = User.objects.get(pk=admin.pk)
    assert not policy.can(fresh, Cap.DASHBOARD_VIEW, world.tenant)
    admin.is_active = False
    assert not policy.can(admin, Cap.AUDIT_VIEW_OWN)


def test_has_perm_delegates_to_the_policy(world: World) -> None:
    admin = world.users["tenant_admin"]
    assert admin.has_perm("teilhabe.users.manage", world.tenant)
    assert not admin.has_perm("teilhabe.users.manage", world.other_tenant)
    assert not admin.has_perm("teilhabe.no.such.capability", world.tenant)
    assert world.users["land"].has_perm("teilhabe.statewide.view")


def test_can_template_tag(world: World) -> None:
    template = Template(
        '{% can "users.manage" tenant as ok %}{% if ok %}JA{% else %}NEIN{% endif %}'
    )
    request = RequestFactory().get("/")
    for persona, expected in (("tenant_admin", "JA"), ("volunteer", "NEIN")):
        request.user = world.users[persona]
        assert template.render(Context({"request": request, "tenant": world.tenant})) == expected


def test_navigation_shows_only_what_roles_allow(world: World) -> None:
    url = reverse("dashboard", args=[world.tenant.public_id])
    admin_nav = login(Client(), world.users["tenant_admin"]).get(url).context["nav_items"]
    volunteer_nav = login(Client(), world.users["volunteer"]).get(url).context["nav_items"]
    assert {str(i["label"]) for i in admin_nav} >= {"Übersicht", "Benutzer", "Protokoll"}
    assert {str(i["label"]) for i in volunteer_nav} == {
        "Übersicht",
        "Angebote",
        "Träger",
        "Teilnahmeregeln",
        "Meine Begleitungen",
    }


def test_platform_admin_creates_tenant_with_first_admin(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(), world.users["platform_admin"])
    dormagen = Territory.objects.get(name="Dormagen")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("platform:tenants"),
            {
                "territory": dormagen.pk,
                "name": "Stadt Dormagen",
                "admin_email": "it@dormagen.example",
                "admin_username": "dormagen.admin",
            },
        )
    assert response.status_code == 302
    tenant = Tenant.objects.get(territory=dormagen)
    assert Membership.objects.filter(
        tenant=tenant, user__username="dormagen.admin", role="tenant_admin"
    ).exists()
    assert AuditEvent.objects.filter(action="tenant.create", tenant=tenant).exists()


def test_tenant_for_same_territory_twice_is_refused(world: World) -> None:
    client = login(Client(), world.users["platform_admin"])
    before = Tenant.objects.count()
    response = client.post(reverse("platform:tenants"), {"territory": world.tenant.territory_id})
    assert "nimmt bereits als Mandant teil" in response.content.decode()
    assert Tenant.objects.count() == before


def test_regierungsbezirk_cannot_be_a_tenant(world: World) -> None:
    client = login(Client(), world.users["platform_admin"])
    rb = Territory.objects.get(ags="057")
    response = client.post(reverse("platform:tenants"), {"territory": rb.pk})
    assert response.status_code == 200
    assert not Tenant.objects.filter(territory=rb).exists()


def test_platform_admin_creates_and_deactivates_land_user(world: World) -> None:
    client = login(Client(), world.users["platform_admin"])
    response = client.post(
        reverse("platform:land_users"),
        {
            "first_name": "Eva",
            "last_name": "Ministerium",
            "email": "eva@mkjfgfi.example",
            "username": "eva.mkjfgfi",
        },
    )
    assert response.status_code == 302
    eva = User.objects.get(username="eva.mkjfgfi")
    assert eva.is_land and not eva.has_usable_password()
    client.post(reverse("platform:user_active", args=[eva.public_id]), {"active": "0"})
    eva.refresh_from_db()
    assert not eva.is_active


def test_statewide_overview_counts_tenants_per_region(world: World) -> None:
    page = login(Client(), world.users["land"]).get(reverse("statewide"))
    rows = {r.regierungsbezirk: r for r in page.context["rows"]}
    assert rows["Regierungsbezirk Detmold"].participating == 2
    assert rows["Regierungsbezirk Detmold"].top_level_bodies == 7
    assert page.context["totals"] == (53, 2)


def test_project_system_checks_catch_weak_settings() -> None:
    ids = lambda: {m.id for m in run_checks(include_deployment_checks=True)}  # noqa: E731
    weak_csp = {
        "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}
    }
    with override_settings(CONTENT_SECURITY_POLICY=weak_csp):
        assert {"teilhabe.E002", "teilhabe.E003", "teilhabe.E004"} <= ids()
    with override_settings(TEILHABE_OTP_REQUIRED=False, DEMO=False):
        assert "teilhabe.E007" in ids()
    with override_settings(SESSION_ABSOLUTE_SECONDS=7 * 24 * 3600):
        assert "teilhabe.E009" in ids()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        assert "teilhabe.W001" in ids()

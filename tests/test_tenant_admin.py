"""Tenant administration: invite, roles, deactivate; bad input writes nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from teilhabe.accounts.models import Membership, User
from teilhabe.accounts.services import membership_set_roles, user_invite
from teilhabe.audit.models import AuditEvent
from teilhabe.core.errors import DomainError

from .conftest import World, login


def _invite_url(world: World) -> str:
    return reverse("accounts:tenant_user_invite", args=[world.tenant.public_id])


VALID = {
    "first_name": "Leyla",
    "last_name": "Haddad",
    "email": "leyla.haddad@example.org",
    "username": "l.haddad",
    "roles": ["case_worker", "volunteer"],
}


def test_invite_creates_user_roles_mail_and_audit(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(), world.users["tenant_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_invite_url(world), VALID)
    assert response.status_code == 302
    user = User.objects.get(username="l.haddad")
    assert not user.has_usable_password()
    roles = set(
        Membership.objects.filter(user=user, tenant=world.tenant).values_list("role", flat=True)
    )
    assert roles == {"case_worker", "volunteer"}
    assert len(mail.outbox) == 1
    assert "/konto/einladung/" in mail.outbox[0].body
    assert "Kreis Gütersloh" in mail.outbox[0].body
    actions = set(AuditEvent.objects.filter(tenant=world.tenant).values_list("action", flat=True))
    assert {"user.create", "membership.grant"} <= actions


def test_invitation_link_sets_password(world: World, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(), world.users["tenant_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_invite_url(world), VALID)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/konto/einladung/" in line)
    path = link.split("testserver", 1)[1]
    invited = Client()
    page = invited.get(path, follow=True)
    assert "Willkommen" in page.content.decode()
    target = page.redirect_chain[-1][0]
    done = invited.post(
        target, {"new_password1": "Mein-Neues-Pw-2026", "new_password2": "Mein-Neues-Pw-2026"}
    )
    assert done.status_code == 302
    assert User.objects.get(username="l.haddad").check_password("Mein-Neues-Pw-2026")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": ""}, "Dieses Feld ist zwingend erforderlich."),
        ({"email": "kein-email"}, "Bitte gültige E-Mail-Adresse eingeben."),
        ({"roles": []}, "Dieses Feld ist zwingend erforderlich."),
        ({"roles": ["land"]}, "keine gültige Auswahl"),
        ({"username": "a b"}, "3 bis 150 Zeichen"),
        ({"username": "user_volunteer", "email": "neu@example.org"}, "bereits vergeben"),
    ],
)
def test_invite_bad_input_shows_german_error_and_writes_nothing(
    world: World, change: dict[str, object], message: str
) -> None:
    client = login(Client(), world.users["tenant_admin"])
    users_before = User.objects.count()
    memberships_before = Membership.objects.count()
    response = client.post(_invite_url(world), {**VALID, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == users_before
    assert Membership.objects.count() == memberships_before
    assert mail.outbox == []


def test_invite_existing_email_adds_roles_to_existing_account(world: World) -> None:
    stranger = world.users["other_tenant"]
    client = login(Client(), world.users["tenant_admin"])
    response = client.post(
        _invite_url(world),
        {**VALID, "email": stranger.email, "username": "egal", "roles": ["provider"]},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=stranger, tenant=world.tenant, role="provider").exists()
    assert not User.objects.filter(username="egal").exists()


def test_non_admin_cannot_invite(world: World) -> None:
    client = login(Client(), world.users["coordination"])
    response = client.post(_invite_url(world), VALID)
    assert response.status_code == 403
    assert not User.objects.filter(username="l.haddad").exists()


def test_service_refuses_actor_from_other_tenant(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        user_invite(
            actor=world.users["other_tenant"], tenant=world.tenant, base_url="http://x/", **VALID
        )


def test_set_roles_and_deactivate_through_pages(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    target = world.users["volunteer"]
    url = reverse("accounts:tenant_user_detail", args=[world.tenant.public_id, target.public_id])
    assert (
        client.post(url, {"action": "roles", "roles": ["volunteer", "provider"]}).status_code == 302
    )
    active = set(
        Membership.objects.filter(user=target, is_active=True).values_list("role", flat=True)
    )
    assert active == {"volunteer", "provider"}
    event = AuditEvent.objects.filter(action="membership.change").latest("created_at")
    assert event.changes["roles"] == [["volunteer"], ["provider", "volunteer"]]
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    assert not Membership.objects.filter(user=target, is_active=True).exists()
    listing = client.get(reverse("accounts:tenant_users", args=[world.tenant.public_id]))
    assert "deaktiviert" in listing.content.decode()


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(world: World) -> None:
    admin = world.users["tenant_admin"]
    with pytest.raises(DomainError):
        membership_set_roles(actor=admin, tenant=world.tenant, user=admin, roles=["volunteer"])
    client = login(Client(), admin)
    url = reverse("accounts:tenant_user_detail", args=[world.tenant.public_id, admin.public_id])
    response = client.post(url, {"action": "deactivate"})
    assert "nicht selbst deaktivieren" in response.content.decode()
    assert Membership.objects.get(user=admin, tenant=world.tenant).is_active


def test_user_list_query_count_does_not_grow(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(), world.users["tenant_admin"])
    url = reverse("accounts:tenant_users", args=[world.tenant.public_id])
    client.get(url)
    with django_assert_max_num_queries(14) as ctx:
        client.get(url)
    small = len(ctx.captured_queries)
    for i in range(20):
        u = User.objects.create(username=f"extra{i}")
        Membership.objects.create(tenant=world.tenant, user=u, role="volunteer")
    with django_assert_max_num_queries(small):
        client.get(url)

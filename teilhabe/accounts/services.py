"""Every write concerning users, tenants and memberships."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from teilhabe.audit.services import audit_record
from teilhabe.core.errors import DomainError
from teilhabe.territory.models import Territory

from . import policy
from .models import Membership, Tenant, User
from .roles import TENANT_ROLES, Cap, Role

RECOVERY_CODE_COUNT = 10


def _invitation_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("accounts:invitation", args=[uid, token])


def _send_invitation(user: User, *, inviter: Any, tenant: Tenant | None, base_url: str) -> None:
    context = {
        "user": user,
        "tenant": tenant,
        "inviter": inviter,
        "link": _invitation_link(user, base_url),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(_("Invitation to Teilhabe"), body, None, [user.email])


def _clean_roles(roles: Iterable[str]) -> set[str]:
    valid = {r.value for r in TENANT_ROLES}
    chosen = set(roles)
    unknown = chosen - valid
    if unknown:
        raise DomainError(_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))})
    return chosen


@transaction.atomic
def user_invite(
    *,
    actor: Any,
    tenant: Tenant,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    base_url: str,
) -> User:
    """Create a user (or reuse one with this e-mail) and grant roles in ``tenant``."""
    policy.require(actor, Cap.USERS_MANAGE, tenant)
    chosen = _clean_roles(roles)
    if not chosen:
        raise DomainError(_("Choose at least one role."))
    if not email:
        raise DomainError(_("An invitation needs an e-mail address."))
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        if User.objects.filter(username__iexact=username).exists():
            raise DomainError(_("This user name is already taken."))
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            tenant=tenant,
            changes={"username": [None, username], "email": [None, email]},
        )
    for role in sorted(chosen):
        membership, made = Membership.objects.get_or_create(tenant=tenant, user=user, role=role)
        if not made and not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            action="membership.grant",
            obj=user,
            tenant=tenant,
            changes={"role": [None, role]},
        )
    if created:
        transaction.on_commit(
            lambda: _send_invitation(user, inviter=actor, tenant=tenant, base_url=base_url)
        )
    policy.forget(user)
    return user


@transaction.atomic
def membership_set_roles(*, actor: Any, tenant: Tenant, user: User, roles: Iterable[str]) -> None:
    """Grant exactly ``roles`` in ``tenant``; roles not listed are deactivated."""
    policy.require(actor, Cap.USERS_MANAGE, tenant)
    chosen = _clean_roles(roles)
    if user.pk == actor.pk and Role.TENANT_ADMIN not in chosen:
        raise DomainError(_("You cannot remove your own administration role."))
    current = {m.role: m for m in Membership.objects.filter(tenant=tenant, user=user)}
    if not current:
        raise DomainError(_("This person has no membership in this tenant."))
    before = sorted(r for r, m in current.items() if m.is_active)
    for role in chosen:
        m = current.get(role)
        if m is None:
            Membership.objects.create(tenant=tenant, user=user, role=role)
        elif not m.is_active:
            m.is_active = True
            m.save(update_fields=["is_active", "updated_at"])
    for role, m in current.items():
        if role not in chosen and m.is_active:
            m.is_active = False
            m.save(update_fields=["is_active", "updated_at"])
    after = sorted(chosen)
    if before != after:
        audit_record(
            actor=actor,
            action="membership.change",
            obj=user,
            tenant=tenant,
            changes={"roles": [before, after]},
        )
    policy.forget(user)


def _end_sessions(user: User) -> int:
    """Delete every stored session of ``user`` (database session backend)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gte=timezone.now()).iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def membership_deactivate(*, actor: Any, tenant: Tenant, user: User) -> None:
    """Withdraw every role of ``user`` in ``tenant``; their next request there is a 404."""
    policy.require(actor, Cap.USERS_MANAGE, tenant)
    if user.pk == actor.pk:
        raise DomainError(_("You cannot deactivate yourself."))
    changed = Membership.objects.filter(tenant=tenant, user=user, is_active=True)
    roles = sorted(changed.values_list("role", flat=True))
    if not roles:
        raise DomainError(_("This person is already deactivated in this tenant."))
    for m in changed:
        m.is_active = False
        m.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action="membership.deactivate",
        obj=user,
        tenant=tenant,
        changes={"roles": [roles, []]},
    )
    policy.forget(user)


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> None:
    """Platform administrators lock a person out everywhere; all sessions end."""
    policy.require(actor, Cap.PLATFORM_MANAGE)
    if user.pk == actor.pk:
        raise DomainError(_("You cannot deactivate yourself."))
    if not user.is_active:
        raise DomainError(_("This person is already deactivated."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    audit_record(
        actor=actor,
        action="user.deactivate",
        obj=user,
        changes={"is_active": [True, False]},
        details={"sessions_ended": ended},
    )


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> None:
    policy.require(actor, Cap.PLATFORM_MANAGE)
    if user.is_active:
        raise DomainError(_("This person is already active."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="user.reactivate", obj=user, changes={"is_active": [False, True]}
    )


@transaction.atomic
def tenant_create(
    *,
    actor: Any,
    territory: Territory,
    name: str = "",
    admin_email: str = "",
    admin_username: str = "",
    base_url: str = "",
) -> Tenant:
    """A participating Kommune joins; optionally its first administrator is invited."""
    policy.require(actor, Cap.PLATFORM_MANAGE)
    if territory.kind in ("land", "regierungsbezirk"):
        raise DomainError(
            _("Only a Kreis, the StädteRegion or a city/municipality can be a tenant.")
        )
    if Tenant.objects.filter(territory=territory).exists():
        raise DomainError(_("This territory already participates as a tenant."))
    tenant = Tenant.objects.create(name=name or territory.name, territory=territory)
    audit_record(
        actor=actor,
        action="tenant.create",
        obj=tenant,
        changes={"territory": [None, territory.ags]},
    )
    if admin_email:
        # The platform administrator acts for the new tenant's first administrator.
        user = User.objects.filter(email__iexact=admin_email).first()
        if user is None:
            username = admin_username or admin_email.split("@")[0]
            if User.objects.filter(username__iexact=username).exists():
                raise DomainError(_("This user name is already taken."))
            user = User(username=username, email=admin_email)
            user.set_unusable_password()
            user.save()
            audit_record(actor=actor, action="user.create", obj=user, tenant=tenant)
            transaction.on_commit(
                lambda: _send_invitation(user, inviter=actor, tenant=tenant, base_url=base_url)
            )
        Membership.objects.create(tenant=tenant, user=user, role=Role.TENANT_ADMIN)
        audit_record(
            actor=actor,
            action="membership.grant",
            obj=user,
            tenant=tenant,
            changes={"role": [None, Role.TENANT_ADMIN.value]},
        )
    return tenant


@transaction.atomic
def land_user_create(
    *, actor: Any, username: str, email: str, first_name: str, last_name: str, base_url: str
) -> User:
    policy.require(actor, Cap.PLATFORM_MANAGE)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This user name is already taken."))
    if not email:
        raise DomainError(_("An invitation needs an e-mail address."))
    user = User(
        username=username, email=email, first_name=first_name, last_name=last_name, is_land=True
    )
    user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, changes={"is_land": [False, True]})
    transaction.on_commit(
        lambda: _send_invitation(user, inviter=actor, tenant=None, base_url=base_url)
    )
    return user


# --- Second factor -----------------------------------------------------------------------


@transaction.atomic
def otp_enrol(*, actor: User, key_hex: str, last_t: int) -> list[str]:
    """Store a confirmed TOTP device and fresh recovery codes; returns the codes once."""
    TOTPDevice.objects.filter(user=actor).delete()
    TOTPDevice.objects.create(
        user=actor, name="Authenticator", key=key_hex, confirmed=True, last_t=last_t
    )
    codes = recovery_codes_regenerate(actor=actor, _audit=False)
    audit_record(actor=actor, action="auth.otp_enrolled", obj=actor)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, actor: User, _audit: bool = True) -> list[str]:
    device, _made = StaticDevice.objects.get_or_create(user=actor, name="Wiederherstellungscodes")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    if _audit:
        audit_record(actor=actor, action="auth.recovery_codes_regenerated", obj=actor)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from . import policy
from .models import Membership, Tenant, User
from .roles import Cap


def tenants_for(user: Any) -> QuerySet[Tenant]:
    ids = list(policy.tenant_roles_map(user).keys())
    return Tenant.objects.filter(pk__in=ids, is_active=True).select_related("territory")


@dataclass
class TenantUser:
    user: User
    roles: list[str] = field(default_factory=list)
    inactive_roles: list[str] = field(default_factory=list)

    @property
    def is_active_here(self) -> bool:
        return bool(self.roles) and self.user.is_active


def tenant_user_list_for(*, actor: Any, tenant: Tenant) -> list[TenantUser]:
    policy.require(actor, Cap.USERS_VIEW, tenant)
    users = (
        User.objects.filter(memberships__tenant=tenant)
        .distinct()
        .order_by("last_name", "first_name", "username")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(tenant=tenant),
                to_attr="tenant_memberships",
            )
        )
    )
    result = []
    for u in users:
        tu = TenantUser(user=u)
        for m in u.tenant_memberships:
            (tu.roles if m.is_active else tu.inactive_roles).append(m.role)
        tu.roles.sort()
        tu.inactive_roles.sort()
        result.append(tu)
    return result


def tenant_user_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> TenantUser | None:
    policy.require(actor, Cap.USERS_VIEW, tenant)
    user = User.objects.filter(public_id=public_id, memberships__tenant=tenant).distinct().first()
    if user is None:
        return None
    tu = TenantUser(user=user)
    for m in Membership.objects.filter(tenant=tenant, user=user):
        (tu.roles if m.is_active else tu.inactive_roles).append(m.role)
    return tu


def platform_tenant_list_for(*, actor: Any) -> QuerySet[Tenant]:
    policy.require(actor, Cap.PLATFORM_MANAGE)
    return Tenant.objects.select_related("territory", "territory__parent").order_by("name")


def platform_land_users_for(*, actor: Any) -> QuerySet[User]:
    policy.require(actor, Cap.PLATFORM_MANAGE)
    return User.objects.filter(is_land=True).order_by("username")


def platform_user_get_for(*, actor: Any, public_id: Any) -> User | None:
    policy.require(actor, Cap.PLATFORM_MANAGE)
    return User.objects.filter(public_id=public_id).first()

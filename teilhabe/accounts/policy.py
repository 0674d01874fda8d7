"""The one place that decides access.

``can(user, capability, obj)`` answers yes or no, ``require`` raises ``PermissionDenied``,
``scope`` narrows a queryset to what the user may see.  Django's ``has_perm`` delegates here
(``teilhabe.accounts.backends.PolicyBackend``) and templates use ``{% can %}``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from .roles import GLOBAL_CAPABILITIES, Cap, Role, roles_with

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_teilhabe_tenant_roles"


def tenant_roles_map(user: Any) -> dict[int, frozenset[str]]:
    """tenant pk -> active roles of the user there; one query, cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from .models import Membership

    result: dict[int, set[str]] = {}
    for tenant_id, role in Membership.objects.filter(
        user=user, is_active=True, tenant__is_active=True
    ).values_list("tenant_id", "role"):
        result.setdefault(tenant_id, set()).add(role)
    frozen = {k: frozenset(v) for k, v in result.items()}
    setattr(user, _CACHE_ATTR, frozen)
    return frozen


def forget(user: Any) -> None:
    """Drop the cached roles (after a change of memberships)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_in(user: Any, tenant: Any) -> frozenset[str]:
    if tenant is None:
        return frozenset()
    return tenant_roles_map(user).get(tenant.pk, frozenset())


def _tenant_of(obj: Any) -> Any:
    from .models import Tenant

    if obj is None:
        return None
    if isinstance(obj, Tenant):
        return obj
    tenant = getattr(obj, "tenant", None)
    if tenant is None:
        raise ValueError(f"{type(obj).__name__} carries no tenant; the policy cannot judge it")
    return tenant


def can(user: Any, capability: str, obj: Any = None) -> bool:
    """May ``user`` exercise ``capability`` on ``obj`` (a tenant or a tenant-owned object)?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if capability in GLOBAL_CAPABILITIES:
        if capability == Cap.AUDIT_VIEW_OWN:
            return True
        if capability == Cap.PLATFORM_MANAGE:
            return bool(user.is_superuser)
        if capability == Cap.STATEWIDE_VIEW:
            return bool(user.is_land)
        return False
    allowed = roles_with(capability)
    if not allowed:
        return False
    tenant = _tenant_of(obj)
    if tenant is None:
        # Without an object: does the user hold the capability in any tenant?
        return any(roles & allowed for roles in tenant_roles_map(user).values())
    return bool(roles_in(user, tenant) & allowed)


def require(user: Any, capability: str, obj: Any = None) -> None:
    if not can(user, capability, obj):
        raise PermissionDenied(capability)


def scope(user: Any, capability: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """Only rows of tenants where the user holds ``capability``."""
    allowed = roles_with(capability)
    tenant_ids = [tid for tid, roles in tenant_roles_map(user).items() if roles & allowed]
    if not tenant_ids:
        return queryset.none()
    return queryset.filter(tenant_id__in=tenant_ids)


def has_role(user: Any, tenant: Any, *roles: Role) -> bool:
    return bool(roles_in(user, tenant) & set(roles))

"""The one place that decides access.

``can(user, capability, obj)`` answers yes or no, ``require`` raises ``PermissionDenied``,
``scope`` narrows a queryset to what the user may see.  Django's ``has_perm`` delegates here
(``teilhabe.accounts.backends.PolicyBackend``) and templates use ``{% can %}``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from .roles import GLOBAL_CAPABILITIES, OBJECT_LIMITED, Cap, Role, roles_with

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_teilhabe_tenant_roles"
_PROVIDER_ATTR = "_teilhabe_provider_ids"
_ASSIGNED_ATTR = "_teilhabe_assigned"
_TENANTS_ATTR = "_teilhabe_member_tenants"


def tenant_roles_map(user: Any) -> dict[int, frozenset[str]]:
    """tenant pk -> active roles of the user there; one query, cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from .models import Membership

    result: dict[int, set[str]] = {}
    tenants = {}
    for membership in Membership.objects.filter(
        user=user, is_active=True, tenant__is_active=True
    ).select_related("tenant"):
        result.setdefault(membership.tenant_id, set()).add(membership.role)
        tenants[membership.tenant.public_id] = membership.tenant
    frozen = {k: frozenset(v) for k, v in result.items()}
    setattr(user, _CACHE_ATTR, frozen)
    setattr(user, _TENANTS_ATTR, tenants)
    return frozen


def member_tenant(user: Any, public_id: Any) -> Any:
    """The active tenant with this public id in which the user has an active membership, or
    None; read with the roles (``tenant_roles_map``), so a tenant page needs no query of its
    own for the tenant."""
    if not tenant_roles_map(user):
        return None
    return getattr(user, _TENANTS_ATTR, {}).get(public_id)


def forget(user: Any) -> None:
    """Drop the cached roles (after a change of memberships)."""
    for attr in (
        _CACHE_ATTR,
        _TENANTS_ATTR,
        _PROVIDER_ATTR,
        _ASSIGNED_ATTR,
        "_teilhabe_alliance_orgs",
    ):
        if hasattr(user, attr):
            delattr(user, attr)


def provider_ids(user: Any) -> frozenset[int]:
    """Providers whose staff the user belongs to (cached on the user object)."""
    cached = getattr(user, _PROVIDER_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from teilhabe.offers.models import Provider

    ids = frozenset(Provider.objects.filter(staff=user).values_list("pk", flat=True))
    setattr(user, _PROVIDER_ATTR, ids)
    return ids


def _provider_of(obj: Any) -> int | None:
    from teilhabe.offers.models import Provider

    if isinstance(obj, Provider):
        return int(obj.pk)
    provider_id = getattr(obj, "provider_id", None)
    if provider_id is None and getattr(obj, "offer_id", None) is not None:
        provider_id = obj.offer.provider_id  # a referral: the provider of its offer
    return int(provider_id) if provider_id is not None else None


def _participant_of(obj: Any) -> int | None:
    from teilhabe.participants.models import Participant

    if isinstance(obj, Participant):
        return int(obj.pk)
    for attr in ("participant_id",):
        value = getattr(obj, attr, None)
        if value is not None:
            return int(value)
    case = getattr(obj, "case", None)
    if case is not None:
        return int(case.participant_id)
    return None


class _Assigned(dict[str, frozenset[int]]):
    """``{"case": …, "volunteer": …}`` read on first use of each key (a case worker's page
    never needs the volunteer set)."""

    def __init__(self, user: Any, tenant_id: int) -> None:
        super().__init__()
        self.user, self.tenant_id = user, tenant_id

    def __missing__(self, kind: str) -> frozenset[int]:
        from teilhabe.participants.selectors import assigned_id_set

        value = assigned_id_set(self.user, self.tenant_id, kind)
        self[kind] = value
        return value


def assigned_participant_ids(user: Any, tenant_id: int) -> dict[str, frozenset[int]]:
    """Participants the user works with in a tenant: ``["case"]`` as case worker (responsible
    or team member of a case), ``["volunteer"]`` as volunteer (active assignment).  One query
    each on first use, cached on the user object."""
    cache: dict[int, _Assigned] | None = getattr(user, _ASSIGNED_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _ASSIGNED_ATTR, cache)
    if tenant_id not in cache:
        cache[tenant_id] = _Assigned(user, tenant_id)
    return cache[tenant_id]


def _object_rule_holds(rule: str, user: Any, obj: Any) -> bool:
    if rule == "own_provider":
        pid = _provider_of(obj)
        return pid is not None and pid in provider_ids(user)
    if rule == "own_organisation":
        from teilhabe.alliance.selectors import organisation_ids_of

        org = getattr(obj, "organisation_id", None)
        return org is not None and org in organisation_ids_of(user, int(obj.tenant_id))
    if rule in ("assigned_case", "assigned_volunteer"):
        participant = _participant_of(obj)
        if participant is None:
            return False
        key = "case" if rule == "assigned_case" else "volunteer"
        return participant in assigned_participant_ids(user, int(obj.tenant_id))[key]
    raise ValueError(f"unknown object rule {rule!r}")


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
    held = roles_in(user, tenant) & allowed
    if not held:
        return False
    limited = OBJECT_LIMITED.get(capability, {})
    if obj is tenant or not limited:
        # On the tenant itself a limited role means "may, for some objects".
        return True
    for role in held:
        rule = limited.get(Role(role))
        if rule is None or _object_rule_holds(rule, user, obj):
            return True
    return False


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

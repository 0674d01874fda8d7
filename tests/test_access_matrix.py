"""Every URL pattern × every persona: the allowed status codes (GET).

A new URL pattern without a row here fails ``test_every_url_pattern_is_in_the_matrix``.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .access import extra_rows, extra_url
from .conftest import PERSONAS, World, login
from .factories import make_offer, make_provider, make_rule_set

TENANT_ROLES = [
    "coordination",
    "case_worker",
    "volunteer",
    "provider",
    "alliance_member",
    "evaluator",
    "tenant_admin",
]
SIGNED_IN = [*TENANT_ROLES, "other_tenant", "platform_admin", "land"]


def row(default: int, **overrides: int) -> dict[str, int]:
    result = dict.fromkeys(PERSONAS, default)
    result.update(overrides)
    return result


def tenant_page(allowed: list[str]) -> dict[str, int]:
    """A tenant page: allowed roles 200, other roles 403, non-members 404, anonymous 302."""
    result = row(403, other_tenant=404, platform_admin=404, land=404, anonymous=302)
    for role in allowed:
        result[role] = 200
    return result


# url name -> persona -> expected status of GET
MATRIX: dict[str, dict[str, int]] = {
    "home": row(302),
    "health": row(200),
    "set_language": row(302),
    "accounts:login": row(302, anonymous=200),
    "accounts:logout": row(405),
    "accounts:otp_verify": row(302),
    "accounts:otp_setup": row(200, anonymous=302),
    "accounts:security": row(200, anonymous=302),
    "accounts:password_change": row(200, anonymous=302),
    "accounts:password_reset": row(200),
    "accounts:password_reset_done": row(200),
    "accounts:password_reset_confirm": row(200),
    "accounts:password_reset_complete": row(200),
    "accounts:invitation": row(200),
    "accounts:tenant_users": tenant_page(["tenant_admin"]),
    "accounts:tenant_user_invite": tenant_page(["tenant_admin"]),
    "accounts:tenant_user_detail": tenant_page(["tenant_admin"]),
    "audit:tenant_log": tenant_page(["tenant_admin"]),
    "audit:tenant_log_export": tenant_page(["tenant_admin"]),
    "audit:own_log": row(200, anonymous=302),
    "platform:tenants": row(403, platform_admin=200, anonymous=302),
    "platform:land_users": row(403, platform_admin=200, anonymous=302),
    "platform:user_active": row(405, anonymous=302),
    "statewide": row(403, land=200, anonymous=302),
    "dashboard": tenant_page(TENANT_ROLES),
    "offers:offer_list": tenant_page(TENANT_ROLES),
    "offers:offer_create": tenant_page(["coordination", "provider"]),
    "offers:offer_export": tenant_page(TENANT_ROLES),
    "offers:offer_import": tenant_page(["coordination"]),
    "offers:offer_import_template": tenant_page(["coordination"]),
    "offers:offer_matching": tenant_page(["coordination", "case_worker"]),
    "offers:offer_detail": tenant_page(TENANT_ROLES),
    "offers:offer_edit": tenant_page(["coordination", "provider"]),
    "offers:offer_duplicate": tenant_page(["coordination", "provider"]),
    "offers:offer_history": tenant_page(TENANT_ROLES),
    "offers:provider_list": tenant_page(TENANT_ROLES),
    "offers:rule_set_list": tenant_page(TENANT_ROLES),
    "offers:platform_rule_sets": row(403, platform_admin=200, anonymous=302),
    "offers:platform_rule_set_edit": row(403, platform_admin=200, anonymous=302),
    "offers:platform_categories": row(403, platform_admin=200, anonymous=302),
    "offers:platform_category_edit": row(403, platform_admin=200, anonymous=302),
    "offers:rule_set_create": tenant_page(["coordination"]),
    "offers:rule_set_detail": tenant_page(TENANT_ROLES),
    "offers:rule_set_edit": tenant_page(["coordination"]),
    "offers:provider_create": tenant_page(["coordination"]),
    "offers:provider_detail": tenant_page(TENANT_ROLES),
    "offers:provider_edit": tenant_page(["coordination"]),
    # the public HSDS 3.0 API (config/api.py): no login, the same for everybody
    "api:openapi-json": row(200),
    "api:hsds_profile": row(200),
    "api:hsds_root": row(200),
    "api:hsds_services": row(200),
    "api:hsds_service": row(200),
    "api:hsds_organizations": row(200),
    "api:hsds_organization": row(200),
    "api:hsds_service_at_locations": row(200),
    "api:hsds_service_at_location": row(200),
    "api:hsds_taxonomies": row(200),
    "api:hsds_taxonomy": row(200),
    "api:hsds_taxonomy_terms": row(200),
    "api:hsds_taxonomy_term": row(200),
    "api:hsds_export": row(200),
}


# Rows contributed by areas (tests/access/*.py), e.g. case work.
MATRIX.update(extra_rows())


def _names(resolver: URLResolver, prefix: str = "") -> list[str]:
    names: list[str] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names.extend(_names(entry, ns))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(prefix + entry.name)
    return names


def url_for(name: str, world: World) -> str:
    tenant = world.tenant.public_id
    kwargs: dict[str, object] = {}
    contributed = extra_url(name, world)
    if contributed is not None:
        return contributed
    if name.startswith("api:"):
        return _api_url(name, world)
    if name.startswith("offers:platform_"):
        from teilhabe.offers.models import Category, RuleSetRecord
        from teilhabe.offers.services import programme_rule_sets_load

        programme_rule_sets_load()
        if "rule_set_id" in _params(name):
            kwargs = {"rule_set_id": RuleSetRecord.objects.filter(tenant=None).first().public_id}
        if "category_id" in _params(name):
            kwargs = {"category_id": Category.objects.first().public_id}
        return reverse(name, kwargs=kwargs)
    if name.startswith("offers:"):
        provider = make_provider(world.tenant, staff=[world.users["provider"]])
        offer = make_offer(world.tenant, provider)
        kwargs = {"tenant_id": tenant}
        if "offer_id" in _params(name):
            kwargs["offer_id"] = offer.public_id
        if "provider_id" in _params(name):
            kwargs["provider_id"] = provider.public_id
        if "rule_set_id" in _params(name):
            kwargs["rule_set_id"] = make_rule_set(world.tenant).public_id
        return reverse(name, kwargs=kwargs)
    if name in {
        "dashboard",
        "accounts:tenant_users",
        "accounts:tenant_user_invite",
        "audit:tenant_log",
        "audit:tenant_log_export",
    }:
        kwargs = {"tenant_id": tenant}
    elif name == "accounts:tenant_user_detail":
        kwargs = {"tenant_id": tenant, "user_id": world.users["case_worker"].public_id}
    elif name == "platform:user_active":
        kwargs = {"user_id": world.users["land"].public_id}
    elif name in {"accounts:password_reset_confirm", "accounts:invitation"}:
        kwargs = {"uidb64": "MQ", "token": "abc-def"}
    return reverse(name, kwargs=kwargs)


def _api_url(name: str, world: World) -> str:
    """The public HSDS API: the tenant and the ``id`` of an object of the right kind."""
    from teilhabe.offers import hsds

    params = _params(name)
    kwargs: dict[str, object] = {}
    if "tenant" in params:
        kwargs["tenant"] = world.tenant.public_id
    if "id" in params:
        provider = make_provider(world.tenant)
        offer = make_offer(world.tenant, provider)
        kwargs["id"] = {
            "api:hsds_service": offer.public_id,
            "api:hsds_organization": provider.public_id,
            "api:hsds_service_at_location": offer.locations.get().public_id,
            "api:hsds_taxonomy": hsds.CATEGORY_TAXONOMY.id,
            "api:hsds_taxonomy_term": hsds.category_term(offer.category).id,
        }[name]
    return reverse(name, kwargs=kwargs or None)


def _params(name: str) -> set[str]:
    from django.urls import get_resolver

    resolver = get_resolver()
    namespace, _, short = name.rpartition(":")
    sub = resolver.namespace_dict[namespace][1] if namespace else resolver
    possibilities = sub.reverse_dict.getlist(short)
    return {p for poss in possibilities for _s, params in poss[0] for p in params}


def test_every_url_pattern_is_in_the_matrix() -> None:
    names = set(_names(get_resolver()))
    assert names - set(MATRIX) == set(), "add the new URL patterns to MATRIX"
    assert set(MATRIX) - names == set(), "MATRIX names URL patterns that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(name: str, world: World) -> None:
    url = url_for(name, world)
    mismatches = []
    for persona in PERSONAS:
        client = login(Client(), world.user(persona))
        status = client.get(url).status_code
        if status != MATRIX[name][persona]:
            mismatches.append(f"{persona}: expected {MATRIX[name][persona]}, got {status}")
    assert not mismatches, f"{url}\n" + "\n".join(mismatches)


def test_another_tenants_uuid_is_404_for_every_tenant_page(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    other = world.other_tenant.public_id
    for name in ("dashboard", "accounts:tenant_users", "audit:tenant_log"):
        assert client.get(reverse(name, kwargs={"tenant_id": other})).status_code == 404


def test_malformed_uuid_is_404(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    assert client.get("/t/not-a-uuid/").status_code == 404
    assert client.get("/t/12345678-1234-1234-1234-1234567890ab/").status_code == 404


def test_unverified_personal_data_role_is_sent_to_second_factor(world: World) -> None:
    client = Client()
    client.force_login(world.users["case_worker"])
    response = client.get(reverse("dashboard", args=[world.tenant.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_user_of_another_tenant_cannot_see_user_of_this_tenant(world: World) -> None:
    # the user id of a member of tenant A inside tenant B's URL is a 404 as well
    client = login(Client(), world.users["other_tenant"])
    url = reverse(
        "accounts:tenant_user_detail",
        kwargs={
            "tenant_id": world.other_tenant.public_id,
            "user_id": world.users["case_worker"].public_id,
        },
    )
    assert client.get(url).status_code == 404

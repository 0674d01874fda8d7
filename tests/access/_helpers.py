"""Row builders shared by the area modules (same semantics as in test_access_matrix)."""

from __future__ import annotations

from tests.conftest import PERSONAS

TENANT_ROLES = [
    "coordination",
    "case_worker",
    "volunteer",
    "provider",
    "alliance_member",
    "evaluator",
    "tenant_admin",
]


def row(default: int, **overrides: int) -> dict[str, int]:
    result = dict.fromkeys(PERSONAS, default)
    result.update(overrides)
    return result


def tenant_page(allowed: list[str], *, denied: int = 403) -> dict[str, int]:
    """Allowed roles 200; other roles ``denied`` (403, or 404 where the object itself is
    out of reach, e.g. a participant not assigned to the persona); non-members 404."""
    result = row(denied, other_tenant=404, platform_admin=404, land=404, anonymous=302)
    for role in allowed:
        result[role] = 200
    return result

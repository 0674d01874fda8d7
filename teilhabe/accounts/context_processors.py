from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import policy
from .roles import Cap


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main navigation: only what the person's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[dict[str, Any]] = []
    tenant = getattr(request, "tenant", None)
    path = request.path
    if tenant is not None:
        tid = tenant.public_id
        candidates = [
            (Cap.DASHBOARD_VIEW, _("Overview"), reverse("dashboard", args=[tid]), True),
            (
                Cap.CASE_MANAGE,
                _("My caseload"),
                reverse("participants:caseload", args=[tid]),
                False,
            ),
            (
                Cap.PARTICIPANTS_CREATE,
                _("Participants"),
                reverse("participants:participant_list", args=[tid]),
                False,
            ),
            (
                Cap.CASE_MANAGE,
                pgettext_lazy("referrals", "Referrals"),
                reverse("participants:referral_list", args=[tid]),
                False,
            ),
            (
                Cap.REFERRAL_ANSWER,
                pgettext_lazy("referrals", "Referrals to us"),
                reverse("participants:referral_provider_list", args=[tid]),
                False,
            ),
            (
                Cap.VOLUNTEER_LOG,
                _("My mentorships"),
                reverse("participants:volunteer_home", args=[tid]),
                False,
            ),
            (
                Cap.VOLUNTEERS_MANAGE,
                pgettext_lazy("referrals", "Volunteers"),
                reverse("participants:volunteer_list", args=[tid]),
                False,
            ),
            (
                Cap.ALLIANCE_VIEW,
                pgettext_lazy("alliance", "Alliance"),
                reverse("alliance:overview", args=[tid]),
                False,
            ),
            (Cap.OFFERS_VIEW, _("Offers"), reverse("offers:offer_list", args=[tid]), False),
            (Cap.OFFERS_VIEW, _("Providers"), reverse("offers:provider_list", args=[tid]), False),
            (
                Cap.OFFERS_VIEW,
                _("Participation rules"),
                reverse("offers:rule_set_list", args=[tid]),
                False,
            ),
            (
                Cap.MATCHING_USE,
                _("Matching offers"),
                reverse("offers:offer_matching", args=[tid]),
                False,
            ),
            (
                Cap.NEEDS_VIEW,
                pgettext_lazy("needs", "Needs analysis"),
                reverse("needs:overview", args=[tid]),
                False,
            ),
            (Cap.USERS_VIEW, _("Users"), reverse("accounts:tenant_users", args=[tid]), False),
            (Cap.AUDIT_VIEW_TENANT, _("Audit log"), reverse("audit:tenant_log", args=[tid]), False),
        ]
        for cap, label, url, exact in candidates:
            if policy.can(user, cap, tenant):
                active = path == url if exact else path.startswith(url)
                items.append({"label": label, "url": url, "active": active})
    if policy.can(user, Cap.STATEWIDE_VIEW):
        url = reverse("statewide")
        items.append({"label": _("State overview"), "url": url, "active": path.startswith(url)})
    if policy.can(user, Cap.PLATFORM_MANAGE):
        url = reverse("platform:tenants")
        items.append({"label": _("Platform"), "url": url, "active": path.startswith("/plattform/")})
    memberships = policy.tenant_roles_map(user)
    return {"nav_items": items, "tenant_count": len(memberships)}

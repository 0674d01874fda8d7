from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teilhabe.core.fasturls import fast_reverse

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

        def link(name: str) -> str:
            return fast_reverse(name, (tid,))

        candidates = [
            (Cap.DASHBOARD_VIEW, _("Overview"), link("dashboard"), True),
            (
                Cap.CASE_MANAGE,
                _("My caseload"),
                link("participants:caseload"),
                False,
            ),
            (
                Cap.PARTICIPANTS_CREATE,
                _("Participants"),
                link("participants:participant_list"),
                False,
            ),
            (
                Cap.CASE_MANAGE,
                pgettext_lazy("referrals", "Referrals"),
                link("participants:referral_list"),
                False,
            ),
            (
                Cap.REFERRAL_ANSWER,
                pgettext_lazy("referrals", "Referrals to us"),
                link("participants:referral_provider_list"),
                False,
            ),
            (
                Cap.VOLUNTEER_LOG,
                _("My mentorships"),
                link("participants:volunteer_home"),
                False,
            ),
            (
                Cap.VOLUNTEERS_MANAGE,
                pgettext_lazy("referrals", "Volunteers"),
                link("participants:volunteer_list"),
                False,
            ),
            (
                Cap.ALLIANCE_VIEW,
                pgettext_lazy("alliance", "Alliance"),
                link("alliance:overview"),
                False,
            ),
            (Cap.OFFERS_VIEW, _("Offers"), link("offers:offer_list"), False),
            (Cap.OFFERS_VIEW, _("Providers"), link("offers:provider_list"), False),
            (
                Cap.OFFERS_VIEW,
                _("Participation rules"),
                link("offers:rule_set_list"),
                False,
            ),
            (
                Cap.MATCHING_USE,
                _("Matching offers"),
                link("offers:offer_matching"),
                False,
            ),
            (
                Cap.NEEDS_VIEW,
                pgettext_lazy("needs", "Needs analysis"),
                link("needs:overview"),
                False,
            ),
            (Cap.USERS_VIEW, _("Users"), link("accounts:tenant_users"), False),
            (Cap.AUDIT_VIEW_TENANT, _("Audit log"), link("audit:tenant_log"), False),
        ]
        for cap, label, url, exact in candidates:
            if policy.can(user, cap, tenant):
                active = path == url if exact else path.startswith(url)
                items.append({"label": label, "url": url, "active": active})
    if policy.can(user, Cap.STATEWIDE_VIEW):
        url = fast_reverse("statewide")
        items.append({"label": _("State overview"), "url": url, "active": path.startswith(url)})
    if policy.can(user, Cap.PLATFORM_MANAGE):
        url = fast_reverse("platform:tenants")
        items.append({"label": _("Platform"), "url": url, "active": path.startswith("/plattform/")})
    memberships = policy.tenant_roles_map(user)
    return {"nav_items": items, "tenant_count": len(memberships)}

"""Access-matrix rows of the cases area (``/t/<tenant>/faelle/…``).

Case pages: only a case worker of the case (responsible or team) gets 200; everybody else in
the tenant gets 404 — the case is out of reach, and the refused attempt is audited.  The probes
are strong: the volunteer persona has an active assignment to the same participant and the
provider persona works for the provider of an open referral of the case.  Tenant pages
(caseload, export, aggregates) answer 403 to roles without the capability.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from tests.access._helpers import row, tenant_page

CASE_PAGES = [
    "participants:case_detail",
    "participants:case_edit",
    "participants:case_status",
    "participants:case_team",
    "participants:case_plan",
    "participants:goal_detail",
    "participants:case_contacts",
    "participants:case_contacts_export",
    "participants:case_education",
    "participants:episode_edit",
    "participants:case_outcomes",
]

ROWS: dict[str, dict[str, int]] = {
    "participants:caseload": tenant_page(["case_worker"]),
    "participants:casework_overview": tenant_page(["coordination", "case_worker"]),
    "participants:contacts_export": tenant_page(["case_worker"]),
    # POST only: members get 405 for a GET, non-members 404
    "participants:notice_read": row(
        405, other_tenant=404, platform_admin=404, land=404, anonymous=302
    ),
    **{name: tenant_page(["case_worker"], denied=404) for name in CASE_PAGES},
}


def probe_case(world: Any) -> Any:
    """A case of the case-worker persona, with a goal, an education episode, an active
    volunteer assignment of the volunteer persona and a referral to the provider persona's
    organisation (so that neither may reach the case pages for a wrong reason)."""
    from teilhabe.offers.models import Category
    from teilhabe.participants.models import (
        EducationEpisode,
        Goal,
        Referral,
        VolunteerAssignment,
    )
    from tests.casework_cases_factories import make_world_case
    from tests.factories import make_offer, make_provider

    case = make_world_case(world)
    today = timezone.localdate()
    Goal.objects.create(
        tenant=world.tenant,
        case=case,
        category=Category.objects.get(code="sprache"),
        text="Deutschkurs B1 abschließen",
        target_date=today + timedelta(days=90),
    )
    EducationEpisode.objects.create(
        tenant=world.tenant,
        participant=case.participant,
        kind="kurs",
        title="Integrationskurs",
        started_on=today - timedelta(days=200),
    )
    VolunteerAssignment.objects.create(
        tenant=world.tenant,
        volunteer=world.users["volunteer"],
        participant=case.participant,
        started_on=today - timedelta(days=30),
    )
    provider = make_provider(world.tenant, "Probe-Träger", staff=[world.users["provider"]])
    Referral.objects.create(
        tenant=world.tenant,
        case=case,
        offer=make_offer(world.tenant, provider, key="probe"),
        status="gesendet",
        sent_on=today - timedelta(days=3),
    )
    return case


def url(name: str, world: Any) -> str:
    tenant = world.tenant.public_id
    if name not in CASE_PAGES and name != "participants:notice_read":
        return reverse(name, args=[tenant])
    case = probe_case(world)
    if name == "participants:notice_read":
        from teilhabe.participants.models import Notice

        notice = Notice.objects.create(
            tenant=world.tenant,
            user=world.users["case_worker"],
            participant=case.participant,
            kind="eligibility",
            text="Der Aufenthaltsstatus hat sich geändert.",
        )
        return reverse(name, args=[tenant, notice.public_id])
    args: list[Any] = [tenant, case.public_id]
    if name == "participants:goal_detail":
        args.append(case.goals.get().public_id)
    if name == "participants:episode_edit":
        args.append(case.participant.episodes.get().public_id)
    return reverse(name, args=args)

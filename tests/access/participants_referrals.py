"""Access-matrix rows of the referrals area: referrals (case worker and provider pages),
volunteers and documents.

The objects belong to the personas: the case is the ``case_worker`` persona's, the offer's
provider has the ``provider`` persona as staff, the volunteer record and the assignment are
the ``volunteer`` persona's.  Case workers not assigned to a participant and volunteers
guessing URLs are probed in tests/test_participants_referrals.py as well.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from ._helpers import tenant_page

CASE_WORKER = ["case_worker"]
VOLUNTEER_MANAGERS = ["coordination", "case_worker"]

ROWS: dict[str, dict[str, int]] = {
    "participants:referral_list": tenant_page(CASE_WORKER),
    "participants:referral_overdue": tenant_page(CASE_WORKER),
    "participants:referral_case": tenant_page(CASE_WORKER),
    "participants:referral_suggest": tenant_page(CASE_WORKER),
    "participants:referral_create": tenant_page(CASE_WORKER),
    "participants:referral_detail": tenant_page(CASE_WORKER),
    "participants:referral_send": tenant_page(CASE_WORKER),
    "participants:referral_withdraw": tenant_page(CASE_WORKER),
    "participants:referral_provider_list": tenant_page(["provider"]),
    "participants:referral_provider_detail": tenant_page(["provider"]),
    "participants:volunteer_list": tenant_page(VOLUNTEER_MANAGERS),
    "participants:volunteer_create": tenant_page(VOLUNTEER_MANAGERS),
    "participants:volunteer_detail": tenant_page(VOLUNTEER_MANAGERS),
    "participants:volunteer_edit": tenant_page(VOLUNTEER_MANAGERS),
    # assigning needs the person's case worker as well
    "participants:volunteer_assign": tenant_page(CASE_WORKER),
    "participants:volunteer_assignment_end": tenant_page(VOLUNTEER_MANAGERS),
    "participants:volunteer_home": tenant_page(["volunteer"]),
    "participants:volunteer_participant": tenant_page(["volunteer"]),
    # documents: the participant's case workers only; a volunteer (who holds
    # PARTICIPANT_VIEW for assigned people) never finds them
    "participants:document_list": {**tenant_page(CASE_WORKER), "volunteer": 404},
    "participants:document_download": {**tenant_page(CASE_WORKER), "volunteer": 404},
    "participants:document_delete": {**tenant_page(CASE_WORKER), "volunteer": 404},
}


def _document(world: Any, participant: Any) -> Any:
    """A document row with a real file at a fixed name (rewritten on every run)."""
    from django.conf import settings

    from teilhabe.participants.models import Document
    from tests.casework_referrals_factories import png_bytes

    name = f"documents/{world.tenant.pk}/{'0' * 31}1"
    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = png_bytes()
    path.write_bytes(data)
    return Document.objects.create(
        tenant=world.tenant,
        participant=participant,
        title="Zeugnis",
        content_type="image/png",
        size=len(data),
        storage_name=name,
        sha256="0" * 64,
        uploaded_by=world.users["case_worker"],
    )


def url(name: str, world: Any) -> str:
    from tests.casework_referrals_factories import (
        assign_volunteer,
        make_referral,
        make_volunteer_profile,
        referral_world,
    )

    rw = referral_world(world)
    tenant = world.tenant.public_id
    short = name.split(":", 1)[1]
    kwargs: dict[str, Any] = {"tenant_id": tenant}
    if short in ("referral_case", "referral_suggest"):
        kwargs["case_id"] = rw.case.public_id
    elif short == "referral_create":
        kwargs.update(case_id=rw.case.public_id, offer_id=rw.offer.public_id)
    elif short in ("referral_detail", "referral_send", "referral_withdraw"):
        referral = make_referral(rw.case, rw.offer, world.users["case_worker"])
        kwargs["referral_id"] = referral.public_id
    elif short == "referral_provider_detail":
        today = timezone.localdate()
        referral = make_referral(
            rw.case,
            rw.offer,
            world.users["case_worker"],
            status="gesendet",
            sent_on=today,
            answer_due=today,
            released_fields=["name"],
        )
        kwargs["referral_id"] = referral.public_id
    elif short in ("volunteer_detail", "volunteer_edit", "volunteer_assign"):
        profile = make_volunteer_profile(world.tenant, world.users["volunteer"])
        kwargs["profile_id"] = profile.public_id
    elif short == "volunteer_assignment_end":
        make_volunteer_profile(world.tenant, world.users["volunteer"])
        assignment = assign_volunteer(rw.participant, world.users["volunteer"])
        kwargs["assignment_id"] = assignment.public_id
    elif short == "volunteer_participant":
        assign_volunteer(rw.participant, world.users["volunteer"])
        kwargs["participant_id"] = rw.participant.public_id
    elif short == "document_list":
        kwargs["participant_id"] = rw.participant.public_id
    elif short in ("document_download", "document_delete"):
        kwargs["document_id"] = _document(world, rw.participant).public_id
    return reverse(name, kwargs=kwargs)

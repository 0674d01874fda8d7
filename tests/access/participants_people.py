"""Access-matrix rows of the people area (participants, histories, consents, data-protection
rights, transfers).

The participant belongs to the ``case_worker`` persona (responsible for its case).  Every
other role guessing a participant URL gets 404 and a ``security.participant_denied`` event —
volunteers and providers included.  Tenant-level pages (list, registration, blank consent
form, transfers) are 403 for roles without the capability.  A case worker of the same tenant
who is not assigned is probed in tests/test_participants_people.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from ._helpers import row, tenant_page

CASE_WORKER = ["case_worker"]
RECORD = tenant_page(CASE_WORKER, denied=404)
POST_ONLY = row(405, other_tenant=404, platform_admin=404, land=404, anonymous=302)

ROWS: dict[str, dict[str, int]] = {
    "participants:participant_list": tenant_page(CASE_WORKER),
    "participants:participant_register": tenant_page(CASE_WORKER),
    "participants:consent_blank": tenant_page(CASE_WORKER),
    "participants:transfer_list": tenant_page(CASE_WORKER),
    "participants:transfer_accept": tenant_page(CASE_WORKER),
    "participants:participant_detail": RECORD,
    "participants:participant_edit": RECORD,
    "participants:participant_history": RECORD,
    "participants:participant_status_add": RECORD,
    "participants:participant_status_edit": RECORD,
    "participants:participant_status_end": RECORD,
    "participants:participant_benefit_add": RECORD,
    "participants:participant_benefit_edit": RECORD,
    "participants:participant_benefit_end": RECORD,
    "participants:participant_consent_add": RECORD,
    "participants:participant_consent_withdraw": RECORD,
    "participants:participant_consent_print": RECORD,
    "participants:participant_export_json": RECORD,
    "participants:participant_export_pdf": RECORD,
    "participants:participant_erase": RECORD,
    "participants:participant_restrict": RECORD,
    "participants:participant_merge": RECORD,
    "participants:participant_transfer": RECORD,
    "participants:participant_notice_read": POST_ONLY,
}


def url(name: str, world: Any) -> str:
    from teilhabe.participants.models import Notice, Transfer
    from tests.casework_factories import (
        make_benefit,
        make_consent,
        make_participant,
        make_status,
    )

    tid = world.tenant.public_id
    short = name.split(":", 1)[1]
    if short in ("participant_list", "participant_register", "transfer_list"):
        return reverse(name, args=[tid])
    if short == "consent_blank":
        return reverse(name, args=[tid, "de"])
    if short == "transfer_accept":
        stranger = world.users["other_tenant"]
        source = make_participant(world.other_tenant, case_worker=stranger)
        copy = make_participant(world.tenant, "Ahmad", "Karimi")
        transfer = Transfer.objects.create(
            tenant=world.other_tenant,
            participant=source,
            to_tenant=world.tenant,
            consent=source.consents.get(),
            handed_over=["core", "statuses"],
            created_by=stranger,
            new_participant=copy,
        )
        return reverse(name, args=[tid, transfer.public_id])
    worker = world.users["case_worker"]
    participant = make_participant(world.tenant, case_worker=worker)
    pid = participant.public_id
    if short in ("participant_status_edit", "participant_status_end"):
        entry = make_status(participant)
        return reverse(name, args=[tid, pid, entry.public_id])
    if short in ("participant_benefit_edit", "participant_benefit_end"):
        entry = make_benefit(participant)
        return reverse(name, args=[tid, pid, entry.public_id])
    if short == "participant_consent_withdraw":
        consent = make_consent(participant, "evaluation", recorded_by=worker)
        return reverse(name, args=[tid, pid, consent.public_id])
    if short == "participant_consent_print":
        return reverse(name, args=[tid, pid, "ar"])
    if short == "participant_merge":
        other = make_participant(
            world.tenant, "Achmad", "Karimi", date(2003, 5, 14), case_worker=worker
        )
        return reverse(name, args=[tid, pid, other.public_id])
    if short == "participant_notice_read":
        notice = Notice.objects.create(
            tenant=world.tenant, user=worker, participant=participant, kind="test", text="x"
        )
        return reverse(name, args=[tid, pid, notice.public_id])
    return reverse(name, args=[tid, pid])

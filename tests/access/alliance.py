"""Access-matrix rows of the alliance (``/t/<tenant>/buendnis/…``).

Reading pages: the coordination and alliance members (200); every other role of the tenant
403, non-members 404.  Managing pages: the coordination only.  The task page is readable by
both; updating someone else's task is checked in tests/test_alliance.py.  The calendar feed
takes no sign-in: a wrong token is a 404 for everybody (the probe uses a wrong token; the
right one is tested in tests/test_alliance.py).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.access._helpers import row, tenant_page

VIEW = ["coordination", "alliance_member"]
MANAGE = ["coordination"]
POST_ONLY = row(405, other_tenant=404, platform_admin=404, land=404, anonymous=302)

READ_PAGES = [
    "alliance:overview",
    "alliance:organisation_list",
    "alliance:organisation_detail",
    "alliance:group_list",
    "alliance:group_detail",
    "alliance:meeting_list",
    "alliance:meeting_detail",
    "alliance:meeting_ics",
    "alliance:minutes_pdf",
    "alliance:document_download",
    "alliance:decision_list",
    "alliance:decision_detail",
    "alliance:task_list",
    "alliance:task_detail",
]
MANAGE_PAGES = [
    "alliance:organisation_create",
    "alliance:organisation_edit",
    "alliance:member_create",
    "alliance:member_edit",
    "alliance:group_create",
    "alliance:group_edit",
    "alliance:membership_end",
    "alliance:meeting_create",
    "alliance:meeting_edit",
    "alliance:meeting_invitations",
    "alliance:meeting_attendance",
    "alliance:agenda_item_create",
    "alliance:agenda_item_edit",
    "alliance:meeting_minutes",
    "alliance:minutes_approve",
    "alliance:minutes_amend",
    "alliance:document_delete",
    "alliance:decision_create",
    "alliance:task_create",
    "alliance:feed_manage",
]

ROWS: dict[str, dict[str, int]] = {
    **{name: tenant_page(VIEW) for name in READ_PAGES},
    **{name: tenant_page(MANAGE) for name in MANAGE_PAGES},
    "alliance:attendee_remove": POST_ONLY,
    "alliance:document_upload": POST_ONLY,
    "alliance:calendar_feed": row(404),
}


def url(name: str, world: Any) -> str:
    from tests.alliance_factories import make_alliance

    tenant = world.tenant
    t = tenant.public_id
    a = make_alliance(
        tenant, member_user=world.users["alliance_member"], coordinator=world.users["coordination"]
    )
    if name == "alliance:calendar_feed":
        return reverse(name, args=[t, "falsches-token"])
    if name in ("alliance:document_download", "alliance:document_delete"):
        doc = _document(a.past, world)
        return reverse(name, args=[t, doc.public_id])
    params: dict[str, list[Any]] = {
        "alliance:organisation_detail": [a.jobcenter.public_id],
        "alliance:organisation_edit": [a.jobcenter.public_id],
        "alliance:member_create": [a.jobcenter.public_id],
        "alliance:member_edit": [a.jc_rep.public_id],
        "alliance:group_detail": [a.core.public_id],
        "alliance:group_edit": [a.core.public_id],
        "alliance:membership_end": [a.core.public_id, a.core.memberships.first().public_id],
        "alliance:decision_detail": [a.decision.public_id],
        "alliance:task_detail": [a.jc_task.public_id],
        "alliance:agenda_item_edit": [a.past.public_id, a.item.public_id],
        "alliance:attendee_remove": [a.past.public_id, a.past.attendees.first().public_id],
    }
    meeting_pages = {
        "alliance:meeting_detail",
        "alliance:meeting_ics",
        "alliance:minutes_pdf",
        "alliance:meeting_edit",
        "alliance:meeting_invitations",
        "alliance:meeting_attendance",
        "alliance:agenda_item_create",
        "alliance:meeting_minutes",
        "alliance:minutes_approve",
        "alliance:minutes_amend",
        "alliance:document_upload",
    }
    if name in meeting_pages:
        return reverse(name, args=[t, a.past.public_id])
    return reverse(name, args=[t, *params.get(name, [])])


def _document(meeting: Any, world: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from teilhabe.alliance.documents import meeting_document_attach

    upload = SimpleUploadedFile("p.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    return meeting_document_attach(
        actor=world.users["coordination"], meeting=meeting, upload=upload, title="Vorlage"
    )

"""Files attached to meetings and agenda items.

A thin wrapper over the safe storage of case documents (``teilhabe.participants.documents``):
the same content check (``sniff``: PDF, JPEG, PNG by their first bytes, never by name), the
same size limit, the same place outside the web root (``MEDIA_ROOT/documents/<tenant>/<uuid>``,
checked again by ``stored_path`` before every read).  Only the permission differs: members
of the alliance (``alliance.view``) download, the coordination uploads and deletes; every
upload, download and deletion is audited.
"""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record
from teilhabe.core.errors import DomainError
from teilhabe.participants.documents import (
    EXTENSIONS,
    document_title,
    stored_path,
    stored_upload,
)

from .models import AgendaItem, Meeting, MeetingDocument


def meeting_document_attach(
    *,
    actor: Any,
    meeting: Meeting,
    upload: Any,
    title: str,
    agenda_item: AgendaItem | None = None,
) -> MeetingDocument:
    policy.require(actor, Cap.ALLIANCE_MANAGE, meeting.tenant)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise DomainError(_("The agenda item belongs to another meeting."))
    title = document_title(title)
    with stored_upload(upload, meeting.tenant_id) as stored, transaction.atomic():
        document = MeetingDocument.objects.create(
            tenant_id=meeting.tenant_id,
            meeting=meeting,
            agenda_item=agenda_item,
            title=title,
            uploaded_by=actor,
            **stored.fields(),
        )
        audit_record(
            actor=actor,
            action="alliance.document.upload",
            obj=meeting,
            details=stored.audit_details(document.public_id, title),
        )
    return document


def meeting_document_open(*, actor: Any, document: MeetingDocument) -> tuple[IO[bytes], str]:
    """The file to send and its download name; the download is audited."""
    policy.require(actor, Cap.ALLIANCE_VIEW, document.tenant)
    path = stored_path(document)  # type: ignore[arg-type]
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise DomainError(_("The document's file is not available.")) from None
    audit_record(
        actor=actor,
        action="alliance.document.download",
        obj=document.meeting,
        details={"document": str(document.public_id), "title": document.title},
    )
    stem = slugify(document.title)[:80] or "dokument"
    return handle, f"{stem}.{EXTENSIONS.get(document.content_type, 'bin')}"


@transaction.atomic
def meeting_document_delete(*, actor: Any, document: MeetingDocument) -> None:
    policy.require(actor, Cap.ALLIANCE_MANAGE, document.tenant)
    path = stored_path(document)  # type: ignore[arg-type]
    audit_record(
        actor=actor,
        action="alliance.document.delete",
        obj=document.meeting,
        details={
            "document": str(document.public_id),
            "title": document.title,
            "sha256": document.sha256,
        },
    )
    document.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))

"""Files attached to meetings and agenda items.

A thin wrapper over the safe storage of case documents (``teilhabe.participants.documents``):
the same content check (``sniff``: PDF, JPEG, PNG by their first bytes, never by name), the
same size limit, the same place outside the web root (``MEDIA_ROOT/documents/<tenant>/<uuid>``,
checked again by ``stored_path`` before every read).  Only the permission differs: members
of the alliance (``alliance.view``) download, the coordination uploads and deletes; every
upload, download and deletion is audited.
"""

from __future__ import annotations

import hashlib
import os
import uuid
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
    max_bytes,
    sniff,
    storage_root,
    stored_path,
)

from .models import AgendaItem, Meeting, MeetingDocument

_HEAD = 16


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",")


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
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Please give the document a title."))
    if len(title) > 200:
        raise DomainError(_("The title is too long (at most 200 characters)."))
    limit = max_bytes()
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise DomainError(_("The file is empty."))
    if size > limit:
        raise DomainError(
            _("The file is too large (%(size)s MB); at most %(limit)s MB are allowed.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )
    upload.seek(0)
    kind = sniff(upload.read(_HEAD))
    if kind is None:
        raise DomainError(
            _(
                "Only PDF, JPEG and PNG files can be uploaded. By its content this file is "
                "none of them (the file name does not count)."
            )
        )
    upload.seek(0)
    directory = storage_root() / str(meeting.tenant_id)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = uuid.uuid4().hex
    path = directory / name
    digest = hashlib.sha256()
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > limit:
                    raise DomainError(
                        _("The file is too large; at most %(limit)s MB are allowed.")
                        % {"limit": _megabytes(limit)}
                    )
                digest.update(chunk)
                out.write(chunk)
        with transaction.atomic():
            document = MeetingDocument.objects.create(
                tenant_id=meeting.tenant_id,
                meeting=meeting,
                agenda_item=agenda_item,
                title=title,
                content_type=kind.content_type,
                size=written,
                storage_name=f"documents/{meeting.tenant_id}/{name}",
                sha256=digest.hexdigest(),
                uploaded_by=actor,
            )
            audit_record(
                actor=actor,
                action="alliance.document.upload",
                obj=meeting,
                details={
                    "document": str(document.public_id),
                    "title": title,
                    "content_type": kind.content_type,
                    "size": written,
                    "sha256": document.sha256,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
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

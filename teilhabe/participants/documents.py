"""Documents of a participant (PDF, JPEG, PNG): upload, download, deletion.

* The type is decided by the **content** (magic bytes), never by the file name or the type the
  browser claims: a PNG named ``.pdf`` is stored as PNG; anything else is refused.
* Files live under ``MEDIA_ROOT/documents/<tenant id>/<random uuid>`` (``MEDIA_ROOT`` is outside
  the web root and has no URL); the name carries no personal data, the SHA-256 is recorded.
* They are served only by a view that checks the policy (the participant's case workers,
  never volunteers), as an attachment with ``nosniff`` and ``no-store``; every download,
  upload and deletion is audited.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import pgettext

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record
from teilhabe.core.errors import DomainError

from .models import Consent, Document, Participant
from .selectors_referrals import may_handle_documents
from .services_people import participant_ensure_writable


def _(text: str) -> str:
    return pgettext("referrals", text)


@dataclass(frozen=True)
class FileKind:
    magic: bytes
    content_type: str
    extension: str


KINDS = (
    FileKind(b"%PDF-", "application/pdf", "pdf"),
    FileKind(b"\xff\xd8\xff", "image/jpeg", "jpg"),
    FileKind(b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {k.content_type: k.extension for k in KINDS}
_HEAD = 16
_STORAGE_NAME = re.compile(r"documents/\d+/[0-9a-f]{32}")


def sniff(head: bytes) -> FileKind | None:
    """The kind of a file from its first bytes, or None if it is none of the allowed."""
    for kind in KINDS:
        if head.startswith(kind.magic):
            return kind
    return None


def storage_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "documents"


def stored_path(document: Document) -> Path:
    """The file of a document; refuses anything that is not one of our own names."""
    name = document.storage_name
    if not _STORAGE_NAME.fullmatch(name):
        raise DomainError(_("The document's file is not available."))
    path = Path(settings.MEDIA_ROOT) / name
    root = storage_root().resolve()
    if root not in path.resolve().parents:
        raise DomainError(_("The document's file is not available."))
    return path


def max_bytes() -> int:
    return int(settings.TEILHABE_DOCUMENT_MAX_BYTES)


def _megabytes(n: int) -> str:
    value = n / 1_000_000
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _require_editor(actor: Any, participant: Participant) -> None:
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    if not may_handle_documents(actor, participant):
        raise DomainError(_("Only the person's case workers handle documents."))


def document_upload(*, actor: Any, participant: Participant, upload: Any, title: str) -> Document:
    """Store an uploaded file (``django.core.files.uploadedfile.UploadedFile``)."""
    _require_editor(actor, participant)
    participant_ensure_writable(participant)
    title = document_title(title)
    with stored_upload(upload, participant.tenant_id) as stored, transaction.atomic():
        document = Document.objects.create(
            tenant_id=participant.tenant_id,
            participant=participant,
            title=title,
            uploaded_by=actor,
            **stored.fields(),
        )
        audit_record(
            actor=actor,
            action="document.upload",
            obj=participant,
            details=stored.audit_details(document.public_id, title),
        )
    return document


def document_title(title: str) -> str:
    """The title of an uploaded document (case or meeting): spaces collapsed, required, at
    most 200 characters."""
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Please give the document a title."))
    if len(title) > 200:
        raise DomainError(_("The title is too long (at most 200 characters)."))
    return title


@dataclass(frozen=True)
class StoredUpload:
    content_type: str
    size: int
    storage_name: str  # relative to MEDIA_ROOT
    sha256: str

    def fields(self) -> dict[str, Any]:
        """The stored file's columns of a document record."""
        return {
            "content_type": self.content_type,
            "size": self.size,
            "storage_name": self.storage_name,
            "sha256": self.sha256,
        }

    def audit_details(self, document_id: Any, title: str) -> dict[str, Any]:
        """What the upload's audit event records (no storage path)."""
        return {
            "document": str(document_id),
            "title": title,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@contextmanager
def stored_upload(upload: Any, tenant_id: int) -> Iterator[StoredUpload]:
    """Checks an upload (not empty, within the size limit, PDF/JPEG/PNG by its content) and
    writes it under ``MEDIA_ROOT/documents/<tenant>/<uuid>`` (mode 0600).  The caller creates
    its record inside the ``with``; if anything in there fails, the file is removed again.
    Used by every area that stores files (case documents, meeting documents)."""
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
    directory = storage_root() / str(tenant_id)
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
        yield StoredUpload(
            content_type=kind.content_type,
            size=written,
            storage_name=f"documents/{tenant_id}/{name}",
            sha256=digest.hexdigest(),
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def document_open(*, actor: Any, document: Document) -> tuple[IO[bytes], str]:
    """The file to send and its download name; the download is audited."""
    participant = document.participant
    policy.require(actor, Cap.PARTICIPANT_VIEW, participant)
    if not may_handle_documents(actor, participant):
        raise DomainError(_("Only the person's case workers handle documents."))
    path = stored_path(document)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise DomainError(_("The document's file is not available.")) from None
    audit_record(
        actor=actor,
        action="document.download",
        obj=participant,
        details={"document": str(document.public_id), "title": document.title},
    )
    stem = slugify(document.title)[:80] or "dokument"
    return handle, f"{stem}.{EXTENSIONS.get(document.content_type, 'bin')}"


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    """Delete the document and, once the deletion is committed, its file."""
    participant = document.participant
    _require_editor(actor, participant)
    participant_ensure_writable(participant)
    if Consent.objects.filter(tenant_id=document.tenant_id, document=document).exists():
        raise DomainError(_("The document is the scan of a consent and is kept as its proof."))
    path = stored_path(document)
    audit_record(
        actor=actor,
        action="document.delete",
        obj=participant,
        details={
            "document": str(document.public_id),
            "title": document.title,
            "sha256": document.sha256,
        },
    )
    document.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))

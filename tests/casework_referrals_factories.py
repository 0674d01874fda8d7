"""Small builders for the referrals area's tests (participants and cases straight through the
ORM, so that these tests do not depend on the people and cases pages)."""

from __future__ import annotations

import io
import secrets
import struct
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from teilhabe.accounts.models import Tenant, User
from teilhabe.offers.models import Offer, Provider
from teilhabe.participants.models import (
    BenefitEntry,
    Case,
    Consent,
    Participant,
    Referral,
    ReferralEvent,
    ResidenceStatusEntry,
    VolunteerAssignment,
    VolunteerProfile,
)
from teilhabe.participants.phonetics import name_key

from .conftest import World
from .factories import make_offer, make_provider


def make_participant(
    tenant: Tenant,
    first_name: str = "Amir",
    last_name: str = "Haddad",
    birth_date: date = date(2003, 4, 12),
    **kw: Any,
) -> Participant:
    defaults: dict[str, Any] = {
        "sex": "male",
        "nationalities": ["SY"],
        "languages": ["ar", "en"],
        "phone": "0151 2345678",
        "email": "amir@example.org",
        "german_speaking": "A2",
        "german_reading": "A2",
        "interests": "Fußball, Kochen",
    }
    defaults.update(kw)
    return Participant.objects.create(
        tenant=tenant,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        name_key=name_key(first_name, last_name),
        pseudonym=secrets.token_hex(6),
        **defaults,
    )


def make_case(participant: Participant, responsible: User, **kw: Any) -> Case:
    defaults: dict[str, Any] = {
        "intake_date": timezone.localdate() - timedelta(days=120),
        "status": "aktiv",
    }
    team = kw.pop("team", None)
    defaults.update(kw)
    case = Case.objects.create(
        tenant=participant.tenant, participant=participant, responsible=responsible, **defaults
    )
    if team:
        case.team.set(team)
    return case


def give_consent(
    participant: Participant,
    purpose: str,
    recorded_by: User,
    *,
    provider: Provider | None = None,
    **kw: Any,
) -> Consent:
    defaults: dict[str, Any] = {
        "given_on": timezone.localdate() - timedelta(days=60),
        "form": "paper",
    }
    defaults.update(kw)
    return Consent.objects.create(
        tenant=participant.tenant,
        participant=participant,
        purpose=purpose,
        provider=provider,
        recorded_by=recorded_by,
        **defaults,
    )


def add_status(
    participant: Participant, kind: str = "duldung", paragraph: str = "60a", **kw: Any
) -> ResidenceStatusEntry:
    defaults: dict[str, Any] = {
        "valid_from": timezone.localdate() - timedelta(days=200),
        "valid_until": timezone.localdate() + timedelta(days=100),
        "issuing_office": "Ausländerbehörde Gütersloh",
    }
    defaults.update(kw)
    return ResidenceStatusEntry.objects.create(
        tenant=participant.tenant,
        participant=participant,
        kind=kind,
        paragraph=paragraph,
        **defaults,
    )


def add_benefit(participant: Participant, kind: str = "asylblg", **kw: Any) -> BenefitEntry:
    defaults: dict[str, Any] = {"valid_from": timezone.localdate() - timedelta(days=300)}
    defaults.update(kw)
    return BenefitEntry.objects.create(
        tenant=participant.tenant, participant=participant, kind=kind, **defaults
    )


def make_referral(
    case: Case,
    offer: Offer,
    actor: User,
    *,
    status: str = "vorgeschlagen",
    sent_on: date | None = None,
    answer_due: date | None = None,
    released_fields: list[str] | None = None,
) -> Referral:
    referral = Referral.objects.create(
        tenant=case.tenant,
        case=case,
        offer=offer,
        status=status,
        sent_on=sent_on,
        answer_due=answer_due,
        released_fields=released_fields or [],
    )
    ReferralEvent.objects.create(
        tenant=case.tenant,
        referral=referral,
        status="vorgeschlagen",
        happened_on=sent_on or timezone.localdate(),
        actor=actor,
    )
    if status != "vorgeschlagen" and sent_on:
        ReferralEvent.objects.create(
            tenant=case.tenant,
            referral=referral,
            status="gesendet",
            happened_on=sent_on,
            actor=actor,
        )
    if status not in ("vorgeschlagen", "gesendet"):
        ReferralEvent.objects.create(
            tenant=case.tenant,
            referral=referral,
            status=status,
            happened_on=sent_on or timezone.localdate(),
            actor=actor,
        )
    return referral


def make_volunteer_profile(tenant: Tenant, user: User, **kw: Any) -> VolunteerProfile:
    defaults: dict[str, Any] = {
        "availability": "dienstags nachmittags",
        "languages": ["de", "ar"],
        "police_clearance_on": timezone.localdate() - timedelta(days=365),
    }
    defaults.update(kw)
    return VolunteerProfile.objects.create(tenant=tenant, user=user, **defaults)


def assign_volunteer(participant: Participant, volunteer: User, **kw: Any) -> VolunteerAssignment:
    defaults: dict[str, Any] = {"started_on": timezone.localdate() - timedelta(days=30)}
    defaults.update(kw)
    return VolunteerAssignment.objects.create(
        tenant=participant.tenant, participant=participant, volunteer=volunteer, **defaults
    )


@dataclass
class ReferralWorld:
    """A participant with a case of the ``case_worker`` persona, the case-work consent, an
    offer of a provider whose staff is the ``provider`` persona, and the sharing consent."""

    world: World
    provider: Provider
    offer: Offer
    participant: Participant
    case: Case
    share: Consent

    @property
    def case_worker(self) -> User:
        return self.world.users["case_worker"]


def referral_world(world: World, *, share: bool = True, **offer_kw: Any) -> ReferralWorld:
    case_worker = world.users["case_worker"]
    provider = make_provider(
        world.tenant, "Bildungswerk Gütersloh", staff=[world.users["provider"]]
    )
    offer_kw.setdefault("title", "Berufssprachkurs B1")
    offer = make_offer(world.tenant, provider, key="bsk-b1", **offer_kw)
    participant = make_participant(world.tenant)
    case = make_case(participant, case_worker)
    give_consent(participant, "case_work", case_worker)
    consent = give_consent(participant, "share_provider", case_worker, provider=provider)
    if not share:
        consent.delete()
    return ReferralWorld(world, provider, offer, participant, case, consent)


# --- Tiny valid files -----------------------------------------------------------------------------


def png_bytes() -> bytes:
    """A valid 1×1 PNG (signature, IHDR, IDAT, IEND) built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8 bit, RGB
    pixels = zlib.compress(b"\x00\xff\x80\x00")  # filter byte + one RGB pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """A valid 2×2 JPEG written by Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()

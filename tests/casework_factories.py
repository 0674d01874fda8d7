"""Builders for case-work tests: participants with a case, consents, statuses, benefits.

Direct ORM writes (no policy, no audit) — for arranging a test, never for what a test checks.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from teilhabe.accounts.models import Tenant, User
from teilhabe.participants.models import (
    BenefitEntry,
    Case,
    Consent,
    Participant,
    ResidenceStatusEntry,
)
from teilhabe.participants.phonetics import name_key


def make_participant(
    tenant: Tenant,
    first_name: str = "Ahmad",
    last_name: str = "Karimi",
    birth_date: date = date(2003, 5, 14),
    *,
    case_worker: User | None = None,
    consent: bool = True,
    **kw: Any,
) -> Participant:
    """A participant; with ``case_worker`` also an open case (responsible) and, unless
    ``consent=False``, a valid case-work consent."""
    participant = Participant.objects.create(
        tenant=tenant,
        first_name=first_name,
        last_name=last_name,
        name_key=name_key(first_name, last_name),
        birth_date=birth_date,
        pseudonym=kw.pop("pseudonym", secrets.token_hex(5).upper()),
        **kw,
    )
    if case_worker is not None:
        make_case(participant, case_worker)
        if consent:
            make_consent(participant, recorded_by=case_worker)
    return participant


def make_case(participant: Participant, responsible: User, **kw: Any) -> Case:
    defaults: dict[str, Any] = {"module": "f1", "intake_date": date(2026, 1, 15)}
    defaults.update(kw)
    return Case.objects.create(
        tenant=participant.tenant, participant=participant, responsible=responsible, **defaults
    )


def make_consent(
    participant: Participant,
    purpose: str = "case_work",
    *,
    recorded_by: User,
    **kw: Any,
) -> Consent:
    defaults: dict[str, Any] = {"given_on": date(2026, 1, 15), "form": "paper", "language": "de"}
    defaults.update(kw)
    return Consent.objects.create(
        tenant=participant.tenant,
        participant=participant,
        purpose=purpose,
        recorded_by=recorded_by,
        **defaults,
    )


def make_status(
    participant: Participant,
    kind: str = "duldung",
    paragraph: str = "",
    valid_from: date = date(2025, 1, 1),
    valid_until: date | None = None,
    **kw: Any,
) -> ResidenceStatusEntry:
    return ResidenceStatusEntry.objects.create(
        tenant=participant.tenant,
        participant=participant,
        kind=kind,
        paragraph=paragraph,
        valid_from=valid_from,
        valid_until=valid_until,
        **kw,
    )


def make_benefit(
    participant: Participant,
    kind: str = "asylblg",
    valid_from: date = date(2025, 1, 1),
    valid_until: date | None = None,
) -> BenefitEntry:
    return BenefitEntry.objects.create(
        tenant=participant.tenant,
        participant=participant,
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
    )

"""Small builders for the cases area's tests (participants, cases and consents via the ORM)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from teilhabe.accounts.models import Tenant, User
from teilhabe.participants.models import Case, Consent, Participant
from teilhabe.participants.phonetics import name_key


def make_participant(
    tenant: Tenant,
    first_name: str = "Amina",
    last_name: str = "Haddad",
    birth_date: date = date(2003, 5, 17),
    **kw: Any,
) -> Participant:
    return Participant.objects.create(
        tenant=tenant,
        first_name=first_name,
        last_name=last_name,
        name_key=name_key(first_name, last_name),
        birth_date=birth_date,
        **kw,
    )


def make_consent(
    participant: Participant,
    recorded_by: User,
    purpose: str = "case_work",
    given_on: date | None = None,
    **kw: Any,
) -> Consent:
    return Consent.objects.create(
        tenant=participant.tenant,
        participant=participant,
        purpose=purpose,
        given_on=given_on or timezone.localdate() - timedelta(days=60),
        form=kw.pop("form", "paper"),
        recorded_by=recorded_by,
        **kw,
    )


def make_case(
    tenant: Tenant,
    participant: Participant,
    responsible: User,
    *,
    consent: bool = True,
    intake_date: date | None = None,
    **kw: Any,
) -> Case:
    """A case (status "aktiv" unless given) and, by default, a valid case-work consent."""
    intake = intake_date or timezone.localdate() - timedelta(days=60)
    case = Case.objects.create(
        tenant=tenant,
        participant=participant,
        responsible=responsible,
        intake_date=intake,
        status=kw.pop("status", "aktiv"),
        **kw,
    )
    if consent:
        make_consent(participant, responsible, given_on=intake)
    return case


def make_world_case(world: Any, **kw: Any) -> Case:
    """A participant with a case of the ``case_worker`` persona in ``world.tenant``."""
    participant = make_participant(
        world.tenant,
        **{k: kw.pop(k) for k in ("first_name", "last_name", "birth_date") if k in kw},
    )
    return make_case(world.tenant, participant, world.users["case_worker"], **kw)

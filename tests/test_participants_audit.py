"""The audit log and the anonymisation (Art. 17 GDPR): the log is append-only and outlives the
anonymisation, so it must never hold the person's name, contact data, birth date or the free
texts of the case work in the first place.  It labels a participant by its pseudonym; the
audit views show the live name only to somebody who may open the record today."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teilhabe.audit.models import AuditEvent
from teilhabe.audit.services import REDACTED
from teilhabe.offers.models import Category
from teilhabe.participants import documents
from teilhabe.participants import services_cases as cases
from teilhabe.participants import services_people as people
from teilhabe.participants.models import Case, Participant
from teilhabe.territory.models import Territory, gemeinden_in
from tests.casework_referrals_factories import png_bytes
from tests.conftest import World, login
from tests.test_participants_people import _edit_data, register_data, url

TODAY = timezone.localdate()
# Everything of the person that must not survive an anonymisation anywhere in the log.
SECRETS = (
    "Yasmin",
    "Jasmin",
    "Khatib",
    "Chatib",
    "0151 7654321",
    "yasmin@example.org",
    "Lindenweg",
    "Zeugin Frau Öztürk",
)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def place(world: World) -> Territory:
    return gemeinden_in(world.tenant.territory).get(name="Verl")


def _event_text(event: AuditEvent) -> str:
    return " ".join(
        [
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            json.dumps(event.changes, ensure_ascii=False),
            event.user_agent,
        ]
    )


def _leaks(birth: str) -> list[tuple[str, str]]:
    found = []
    for event in AuditEvent.objects.all():
        content = _event_text(event)
        for secret in (*SECRETS, birth):
            if secret in content:
                found.append((event.action, secret))
    return found


def test_no_audit_event_keeps_the_name_after_anonymisation(
    world: World, place: Territory, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    worker = world.users["case_worker"]
    cw = login(Client(), worker)
    # first contact through the page: names, transliteration, contact data, address
    data = register_data(
        place,
        first_name="Yasmin",
        last_name="Al-Khatib",
        name_transliteration="Yasmin Al Chatib",
        phone="0151 7654321",
        email="yasmin@example.org",
        street="Lindenweg 7",
        interests="Yasmin singt gern",
        consent_form="verbal",
        consent_witness="Zeugin Frau Öztürk",
    )
    assert cw.post(url("participant_register", world), data).status_code == 302
    person = Participant.objects.get(last_name="Al-Khatib")
    birth = person.birth_date.isoformat()
    # correction of the name and the e-mail (Art. 16)
    edit = _edit_data(cw, world, person)
    edit.update(first_name="Jasmin", email="yasmin@example.org", phone="0151 7654321")
    assert cw.post(url("participant_edit", world, person.public_id), edit).status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Jasmin"
    # case work with free texts that name the person
    case = Case.objects.get(participant=person)
    case.status = "aktiv"
    case.save()
    people.status_add(
        actor=worker,
        participant=person,
        data={
            "kind": "duldung",
            "paragraph": "",
            "valid_from": TODAY - timedelta(days=5),
            "conditions": "Jasmin Al-Khatib meldet sich wöchentlich",
        },
    )
    goal = cases.goal_create(
        actor=worker,
        case=case,
        data={
            "category": Category.objects.get(code="ausbildung"),
            "text": "Jasmin findet eine Ausbildung",
            "status": "offen",
            "urgency": 1,
            "agreed_with_participant": True,
        },
    )
    cases.goal_update(actor=worker, case=case, goal=goal, data={"text": "Yasmin: Ausbildung"})
    cases.contact_create(
        actor=worker,
        case=case,
        data={
            "happened_on": TODAY,
            "minutes": 30,
            "kind": "telefonisch",
            "topic": "Gespräch mit Yasmin",
            "proof": "zweite_fachkraft",
            "proof_by": "Kollegin von Yasmin",
        },
    )
    documents.document_upload(
        actor=worker,
        participant=person,
        upload=SimpleUploadedFile("pass.png", png_bytes()),
        title="Pass Yasmin Al-Khatib",
    )
    people.participant_restrict(
        actor=worker, participant=person, restricted=True, reason="Yasmin bestreitet Daten"
    )
    people.participant_restrict(actor=worker, participant=person, restricted=False)
    # pages read (audited)
    assert cw.get(url("participant_detail", world, person.public_id)).status_code == 200
    assert cw.get(url("participant_history", world, person.public_id)).status_code == 200
    # erasure by anonymisation through the page
    with django_capture_on_commit_callbacks(execute=True):
        response = cw.post(
            url("participant_erase", world, person.public_id),
            {"reason": "Antrag von Yasmin Al-Khatib nach Art. 17", "confirmed": "on"},
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert AuditEvent.objects.filter(action="participant.anonymise").count() == 1
    assert AuditEvent.objects.count() > 15
    assert _leaks(birth) == []
    # what the log does keep: who changed which field, the pseudonym as label
    update = AuditEvent.objects.get(action="participant.update")
    assert update.changes["first_name"] == [REDACTED, REDACTED]
    assert update.object_repr == person.pseudonym
    created = AuditEvent.objects.get(action="participant.create")
    assert created.changes["nationalities"] == [None, ["SY", "IQ"]]


def test_audit_views_show_the_live_name_only_to_who_may_see_the_record(
    world: World, place: Territory, django_capture_on_commit_callbacks: Any
) -> None:
    worker = world.users["case_worker"]
    cw = login(Client(), worker)
    data = register_data(place, first_name="Yasmin", last_name="Al-Khatib")
    assert cw.post(url("participant_register", world), data).status_code == 302
    person = Participant.objects.get(last_name="Al-Khatib")
    own_log = reverse("audit:own_log")
    tenant_log = reverse("audit:tenant_log", args=[world.tenant.public_id])
    # the case worker works with the person: the own log shows the current name
    page = cw.get(own_log).content.decode()
    assert "Yasmin Al-Khatib" in page and person.pseudonym in page
    # the administration sees the tenant's log, but not the record: pseudonym only
    admin = login(Client(), world.users["tenant_admin"])
    page = admin.get(tenant_log).content.decode()
    assert person.pseudonym in page and "Yasmin" not in page and "Khatib" not in page
    with django_capture_on_commit_callbacks(execute=True):
        people.participant_anonymise(actor=worker, participant=person, reason="Art. 17")
    # after the anonymisation nobody sees the name: the live record holds the placeholder
    page = cw.get(own_log).content.decode()
    assert "Anonymisiert" in page and "Yasmin" not in page and "Khatib" not in page

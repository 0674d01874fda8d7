"""People area: registration with duplicate detection, the record and its histories, the
eligibility re-check, consents, data-protection rights, retention, transfers and the seed."""

from __future__ import annotations

import io
import itertools
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teilhabe.accounts.models import Membership
from teilhabe.accounts.roles import Role
from teilhabe.audit.models import AuditEvent
from teilhabe.core.errors import ConflictError, DomainError
from teilhabe.participants import services_people as svc
from teilhabe.participants.consent import ConsentMissing
from teilhabe.participants.facts import participant_facts
from teilhabe.participants.models import (
    BenefitEntry,
    Case,
    Consent,
    Document,
    Notice,
    Participant,
    ResidenceStatusEntry,
    Transfer,
)
from teilhabe.territory.models import Territory, gemeinden_in
from tests.casework_factories import (
    make_benefit,
    make_case,
    make_consent,
    make_participant,
    make_status,
)
from tests.conftest import World, login, make_user

TODAY = timezone.localdate()


def years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


@pytest.fixture
def worker(world: World) -> Any:
    return world.users["case_worker"]


@pytest.fixture
def cw(worker: Any) -> Client:
    return login(Client(), worker)


@pytest.fixture
def colleague(world: World) -> Any:
    """A second case worker of the same tenant, not assigned to the test participants."""
    user = make_user("coach.zwei", first_name="Zweite", last_name="Fachkraft")
    Membership.objects.create(tenant=world.tenant, user=user, role=Role.CASE_WORKER)
    return user


@pytest.fixture
def gemeinde(world: World) -> Territory:
    return gemeinden_in(world.tenant.territory).get(name="Verl")


@pytest.fixture
def person(world: World, worker: Any, gemeinde: Territory) -> Participant:
    return make_participant(
        world.tenant,
        "Ahmad",
        "Karimi",
        years_ago(22),
        case_worker=worker,
        gemeinde=gemeinde,
        nationalities=["AF"],
    )


def url(name: str, world: World, *args: Any) -> str:
    return reverse(f"participants:{name}", args=[world.tenant.public_id, *args])


def register_data(place: Territory, **over: Any) -> dict[str, Any]:
    data = {
        "first_name": "Mohammed",
        "last_name": "Al-Hassan",
        "name_transliteration": "",
        "birth_date": years_ago(21).isoformat(),
        "sex": "male",
        "nationalities": "sy, iq",
        "languages": ["ar", "ku"],
        "phone": "0151 2345678",
        "email": "",
        "street": "Bahnhofstraße 3",
        "postcode": "33415",
        "gemeinde": place.ags,
        "children": "0",
        "entry_date": years_ago(4).isoformat(),
        "first_asylum_request": years_ago(4, -3).isoformat(),
        "case_module": "f1",
        "case_intake_date": (TODAY - timedelta(days=3)).isoformat(),
        "with_consent": "on",
        "consent_given_on": (TODAY - timedelta(days=3)).isoformat(),
        "consent_form": "paper",
        "consent_language": "ar",
        "consent_witness": "",
        "consent_expires_on": "",
    }
    data.update(over)
    return data


def text(response: Any) -> str:
    return response.content.decode()


# --- registration ------------------------------------------------------------------------------


def test_register_creates_record_case_and_consent(
    world: World, cw: Client, worker: Any, gemeinde: Territory
) -> None:
    response = cw.post(url("participant_register", world), register_data(gemeinde))
    assert response.status_code == 302
    p = Participant.objects.get(last_name="Al-Hassan")
    assert response["Location"] == url("participant_detail", world, p.public_id)
    assert p.nationalities == ["SY", "IQ"]
    assert p.languages == ["ar", "ku"]
    assert p.gemeinde == gemeinde
    assert len(p.pseudonym) == 10 and p.pseudonym.isalnum()
    assert p.name_key == svc.participant_name_key("Mohammed", "Al-Hassan")
    case = Case.objects.get(participant=p)
    assert case.responsible == worker and case.module == "f1" and case.status == "erstkontakt"
    consent = Consent.objects.get(participant=p)
    assert (consent.purpose, consent.language, consent.recorded_by) == ("case_work", "ar", worker)
    event = AuditEvent.objects.get(action="participant.create")
    assert event.object_id == str(p.public_id) and "first_name" in event.changes
    # the new person is the worker's own now: the record opens
    page = cw.get(url("participant_detail", world, p.public_id))
    assert page.status_code == 200
    assert "Mohammed Al-Hassan" in text(page)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "birth_date",
            (TODAY + timedelta(days=2)).isoformat(),
            "Das Geburtsdatum liegt in der Zukunft.",
        ),
        (
            "birth_date",
            years_ago(8).isoformat(),
            "Das Geburtsdatum ist nicht plausibel: Die Person wäre 8 Jahre alt "
            "(erwartet 14 bis 40).",
        ),
        ("gemeinde", "05711", "Unbekannte Gemeinde „05711“"),
        ("nationalities", "SY, XX", "„XX“ ist kein ISO-Ländercode"),
        (
            "entry_date",
            (TODAY + timedelta(days=1)).isoformat(),
            "Das Einreisedatum liegt in der Zukunft.",
        ),
        (
            "consent_form",
            "verbal",
            "Eine mündliche Einwilligung braucht eine Zeugin oder einen Zeugen.",
        ),
    ],
)
def test_register_refuses_bad_input_in_german(
    world: World, cw: Client, gemeinde: Territory, field: str, value: str, message: str
) -> None:
    response = cw.post(
        url("participant_register", world), register_data(gemeinde, **{field: value})
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not Participant.objects.exists() and not Case.objects.exists()


def test_register_service_refuses_gemeinde_outside_the_tenant(world: World, worker: Any) -> None:
    bielefeld = Territory.objects.get(ags="05711")
    with pytest.raises(svc.ValidationFailed) as exc:
        svc.participant_register(
            actor=worker,
            tenant=world.tenant,
            data={
                "first_name": "A",
                "last_name": "B",
                "birth_date": years_ago(20),
                "gemeinde": bielefeld,
            },
            case_data={"module": "f1", "intake_date": TODAY},
        )
    assert "gemeinde" in exc.value.errors
    assert not Participant.objects.exists()


def test_volunteer_cannot_register(world: World) -> None:
    client = login(Client(), world.users["volunteer"])
    assert client.get(url("participant_register", world)).status_code == 403


# --- duplicates and merge ----------------------------------------------------------------------


def test_duplicates_found_by_transliteration_and_swapped_names(
    world: World, cw: Client, colleague: Any, gemeinde: Territory
) -> None:
    birth = years_ago(21)
    make_participant(world.tenant, "Al-Hassan", "Muhammad", birth, case_worker=colleague)
    response = cw.post(
        url("participant_register", world),
        register_data(gemeinde, birth_date=birth.isoformat()),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Mögliche Doppelungen" in page
    assert f"Al-Hassan Muhammad ({'geboren'} {birth.year})" in page
    # the colleague's person: names and year only, no link, no birth date
    assert birth.strftime("%d.%m.%Y") not in page
    theirs = Participant.objects.get()
    assert str(theirs.public_id) not in page
    assert Participant.objects.count() == 1
    data = register_data(gemeinde, birth_date=birth.isoformat(), confirm_duplicate="on")
    response = cw.post(url("participant_register", world), data)
    assert response.status_code == 302
    assert Participant.objects.count() == 2
    assert AuditEvent.objects.get(action="participant.create").changes["_details"][
        "duplicate_confirmed"
    ]


def test_duplicate_by_last_name_key_and_not_for_other_birth_dates(world: World) -> None:
    birth = years_ago(24)
    make_participant(world.tenant, "Yusuf", "Yılmaz", birth)
    make_participant(world.tenant, "Yusuf", "Yilmaz", birth - timedelta(days=1))
    found = svc.duplicate_candidates(
        tenant=world.tenant, first_name="Jusuf Emre", last_name="Yilmaz", birth_date=birth
    )
    assert [c.last_name for c in found] == ["Yılmaz"]
    assert found[0].reason == "ähnlicher Nachname, gleiches Geburtsdatum"


def test_merge_moves_everything_and_audits_both(
    world: World, worker: Any, cw: Client, person: Participant
) -> None:
    other = make_participant(
        world.tenant, "Achmad", "Karimi", person.birth_date, case_worker=worker
    )
    make_status(other, "gestattung", valid_from=years_ago(3), valid_until=years_ago(2))
    make_benefit(other)
    page = cw.get(url("participant_detail", world, person.public_id))
    assert url("participant_merge", world, person.public_id, other.public_id) in text(page)
    response = cw.post(
        url("participant_merge", world, person.public_id, other.public_id), {"confirmed": "on"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.merged_into == person
    assert Case.objects.filter(participant=person).count() == 2
    assert ResidenceStatusEntry.objects.filter(participant=person).count() == 1
    assert BenefitEntry.objects.filter(participant=person).count() == 1
    assert Consent.objects.filter(participant=person).count() == 2
    merged = AuditEvent.objects.get(action="participant.merge")
    assert merged.changes["_details"]["cases"] == 1
    assert AuditEvent.objects.get(action="participant.merged_into").object_id == str(
        other.public_id
    )
    # the merged record no longer appears in lists
    listing = text(cw.get(url("participant_list", world)))
    assert listing.count("Karimi") == 1


def test_merge_needs_access_to_both(
    world: World, worker: Any, colleague: Any, person: Participant
) -> None:
    theirs = make_participant(
        world.tenant, "Ahmad", "Karimi", person.birth_date, case_worker=colleague
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.participant_merge(actor=worker, keep=person, other=theirs)
    assert Participant.objects.get(pk=theirs.pk).merged_into is None


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_own_people_searchable_by_variants(
    world: World, worker: Any, cw: Client, colleague: Any
) -> None:
    make_participant(world.tenant, "Mohamed", "Haddad", case_worker=worker)
    make_participant(
        world.tenant,
        "Selam",
        "Tesfaye",
        case_worker=worker,
        name_transliteration="TESFAYE Selam Gebru",
    )
    make_participant(world.tenant, "Muhammad", "Haddad", case_worker=colleague)
    page = text(cw.get(url("participant_list", world)))
    assert "Haddad, Mohamed" in page and "Tesfaye, Selam" in page
    assert "Muhammad" not in page
    found = text(cw.get(url("participant_list", world), {"q": "Muhammad"}))
    assert "Haddad, Mohamed" in found and "Tesfaye" not in found
    found = text(cw.get(url("participant_list", world), {"q": "Gebru"}))
    assert "Tesfaye, Selam" in found and "Haddad" not in found


def test_list_query_count_does_not_grow(
    world: World, worker: Any, cw: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        make_participant(world.tenant, f"Person{i}", "Demir", case_worker=worker)
    cw.get(url("participant_list", world))
    with django_assert_max_num_queries(12) as small:
        cw.get(url("participant_list", world))
    for i in range(30):
        p = make_participant(world.tenant, f"Mehr{i}", "Kaya", case_worker=worker)
        make_case(p, worker, status="abgeschlossen")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = cw.get(url("participant_list", world))
    assert "Seite 1 von 2" in text(response)


# --- the record: read audit, 404 for everybody else ---------------------------------------------


def test_detail_is_audited(world: World, cw: Client, person: Participant) -> None:
    response = cw.get(url("participant_detail", world, person.public_id))
    assert response.status_code == 200
    page = text(response)
    for heading in (
        "Personendaten",
        "Aufenthaltsstatus",
        "Leistungsbezug",
        "Einwilligungen",
        "Fälle",
    ):
        assert heading in page
    assert AuditEvent.objects.filter(action="read", object_id=str(person.public_id)).exists()


def test_detail_query_count_does_not_grow(
    world: World, worker: Any, cw: Client, person: Participant, django_assert_max_num_queries: Any
) -> None:
    make_status(person, "gestattung", valid_from=years_ago(3), valid_until=years_ago(2))
    cw.get(url("participant_detail", world, person.public_id))
    with django_assert_max_num_queries(40) as small:
        cw.get(url("participant_detail", world, person.public_id))
    for year in range(2, 12):
        make_benefit(person, "asylblg", years_ago(year + 1), years_ago(year, 1))
        make_consent(person, "evaluation", recorded_by=worker)
        make_case(person, worker, status="abgeschlossen")
        Notice.objects.create(
            tenant=world.tenant, user=worker, participant=person, kind="x", text=str(year)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = cw.get(url("participant_detail", world, person.public_id))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "persona", ["volunteer", "provider", "colleague", "other_tenant", "coordination"]
)
def test_guessed_participant_url_is_404_and_audited(
    world: World, person: Participant, colleague: Any, persona: str
) -> None:
    user = colleague if persona == "colleague" else world.users[persona]
    client = login(Client(), user)
    for name in (
        "participant_detail",
        "participant_edit",
        "participant_export_json",
        "participant_history",
        "participant_erase",
    ):
        assert client.get(url(name, world, person.public_id)).status_code == 404
    if persona != "other_tenant":  # a stranger is stopped at the tenant already
        denied = AuditEvent.objects.filter(action="security.participant_denied", actor=user)
        assert denied.count() == 5
        assert denied.first().changes["_details"]["participant"] == str(person.public_id)
    else:
        assert AuditEvent.objects.filter(action="security.tenant_denied", actor=user).exists()


def test_assigned_volunteer_does_not_see_the_full_record(world: World, person: Participant) -> None:
    from teilhabe.participants.models import VolunteerAssignment

    volunteer = world.users["volunteer"]
    VolunteerAssignment.objects.create(
        tenant=world.tenant, volunteer=volunteer, participant=person, started_on=TODAY
    )
    client = login(Client(), volunteer)
    # like any other guessed record: 404, audited as refused, no read recorded
    assert client.get(url("participant_detail", world, person.public_id)).status_code == 404
    assert client.get(url("participant_export_json", world, person.public_id)).status_code == 404
    denied = AuditEvent.objects.filter(action="security.participant_denied", actor=volunteer)
    assert denied.count() == 2
    assert not AuditEvent.objects.filter(action="read", actor=volunteer).exists()


# --- edit: version conflict, history -------------------------------------------------------------


def _edit_data(client: Client, world: World, p: Participant) -> dict[str, Any]:
    form = client.get(url("participant_edit", world, p.public_id)).context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = value
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(value)
    return data


def test_concurrent_edits_conflict_and_nothing_is_lost(
    world: World, worker: Any, person: Participant
) -> None:
    first, second = login(Client(), worker), login(Client(), worker)
    data_first = _edit_data(first, world, person)
    data_second = _edit_data(second, world, person)
    data_first["phone"] = "0151 1111111"
    assert (
        first.post(url("participant_edit", world, person.public_id), data_first).status_code == 302
    )
    data_second["interests"] = "Kochen, Fußball"
    response = second.post(url("participant_edit", world, person.public_id), data_second)
    assert response.status_code == 200
    page = text(response)
    assert "Jemand anderes hat den Datensatz dieser Person inzwischen geändert" in page
    assert "Kochen, Fußball" in page  # the second person's input is still in the form
    assert "0151 1111111" in page  # and the current value is shown beside it
    person.refresh_from_db()
    assert person.phone == "0151 1111111" and person.interests == "" and person.version == 2
    # saving again is a deliberate decision against the current state
    again = response.context["form"].data
    assert again["version"] == "2"
    resubmit = {k: again.getlist(k) for k in again}
    assert (
        second.post(url("participant_edit", world, person.public_id), resubmit).status_code == 302
    )
    person.refresh_from_db()
    assert person.interests == "Kochen, Fußball" and person.version == 3


def test_service_conflict_error(world: World, worker: Any, person: Participant) -> None:
    svc.participant_update(actor=worker, participant=person, data={"phone": "1"}, version=1)
    with pytest.raises(ConflictError):
        svc.participant_update(actor=worker, participant=person, data={"phone": "2"}, version=1)
    assert Participant.objects.get(pk=person.pk).phone == "1"


def test_edit_records_history(world: World, worker: Any, cw: Client, person: Participant) -> None:
    data = _edit_data(cw, world, person)
    data.update(first_name="Achmad", german_reading="B1")
    assert cw.post(url("participant_edit", world, person.public_id), data).status_code == 302
    person.refresh_from_db()
    assert person.name_key == svc.participant_name_key("Achmad", "Karimi")
    page = text(cw.get(url("participant_history", world, person.public_id)))
    assert "participant.update" in page and "Achmad" in page and "first_name" in page
    assert "read" not in [
        e.action
        for e in cw.get(url("participant_history", world, person.public_id))
        .context["page"]
        .object_list
    ]


# --- residence status, benefits, re-check ---------------------------------------------------------


def _status_form(**over: Any) -> dict[str, Any]:
    data = {
        "status": "duldung:60a",
        "valid_from": (TODAY - timedelta(days=30)).isoformat(),
        "valid_until": (TODAY + timedelta(days=60)).isoformat(),
        "issuing_office": "Ausländerbehörde Kreis Gütersloh",
        "work_permitted": "no",
        "residence_obligation": "Verl",
        "conditions": "",
    }
    data.update(over)
    return data


def test_status_until_before_from_is_refused(world: World, cw: Client, person: Participant) -> None:
    response = cw.post(
        url("participant_status_add", world, person.public_id),
        _status_form(valid_until=(TODAY - timedelta(days=40)).isoformat()),
    )
    assert "Das Ende der Gültigkeit liegt vor dem Beginn." in text(response)
    assert not ResidenceStatusEntry.objects.exists()


def test_overlapping_status_is_refused(world: World, cw: Client, person: Participant) -> None:
    make_status(person, "gestattung", valid_from=years_ago(2))
    response = cw.post(url("participant_status_add", world, person.public_id), _status_form())
    assert response.status_code == 200
    expected = (
        "Der Zeitraum überschneidet sich mit dem Eintrag „Aufenthaltsgestattung (§ 55 AsylG)“ "
        f"(seit {years_ago(2):%d.%m.%Y}, unbefristet). "
        "Beenden oder ändern Sie zuerst diesen Eintrag."
    )
    assert expected in text(response)
    assert ResidenceStatusEntry.objects.count() == 1
    # ending the open entry on the day before resolves it
    response = cw.post(
        url("participant_status_add", world, person.public_id), _status_form(end_previous="on")
    )
    assert response.status_code == 302
    old = ResidenceStatusEntry.objects.get(kind="gestattung")
    assert old.valid_until == TODAY - timedelta(days=31)


def test_status_change_rechecks_eligibility_and_notifies(
    world: World, cw: Client, worker: Any, person: Participant
) -> None:
    from teilhabe.offers.services import programme_rule_sets_load

    programme_rule_sets_load()
    make_status(
        person, "gestattung", valid_from=years_ago(2), valid_until=TODAY - timedelta(days=31)
    )
    response = cw.post(
        url("participant_status_add", world, person.public_id),
        _status_form(status="niederlassungserlaubnis", valid_until=""),
    )
    assert response.status_code == 302
    notice = Notice.objects.get(participant=person)
    assert notice.user == worker and notice.kind == "eligibility"
    assert notice.text.startswith(
        "Neubewertung der Förderfähigkeit nach Änderung des Aufenthaltsstatus"
    )
    assert "Aufenthaltsstatus" in notice.text and "F1" in notice.text
    page = text(cw.get(url("participant_detail", world, person.public_id)))
    assert "Neubewertung der Förderfähigkeit" in page
    cw.post(url("participant_notice_read", world, person.public_id, notice.public_id))
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_recheck_follows_the_offers_of_open_referrals(
    world: World, worker: Any, person: Participant
) -> None:
    from teilhabe.participants.models import Referral
    from tests.factories import make_offer, make_provider, make_rule_set

    offer = make_offer(
        world.tenant,
        make_provider(world.tenant),
        key="jung",
        title="Kurs für Geduldete",
        rule_set=make_rule_set(world.tenant),
    )
    Referral.objects.create(
        tenant=world.tenant, case=person.cases.get(), offer=offer, status="gesendet"
    )
    make_benefit(person, "asylblg", valid_from=years_ago(2))
    # an older birth date (correction) makes the person too old for the offer
    svc.participant_update(
        actor=worker, participant=person, data={"birth_date": years_ago(30)}, version=None
    )
    notice = Notice.objects.get(participant=person)
    assert "Kurs für Geduldete: bisher förderfähig, jetzt nicht förderfähig." in notice.text


def test_participant_facts(world: World, person: Participant) -> None:
    make_status(person, "gestattung", valid_from=years_ago(3), valid_until=years_ago(1))
    make_status(person, "duldung", "60c", valid_from=years_ago(1, -1), work_permitted=True)
    make_benefit(person, "asylblg", valid_from=years_ago(3))
    person.german_reading, person.german_speaking = "B1", "A2"
    facts = participant_facts(person, TODAY)
    assert facts.residence_status is not None
    assert (facts.residence_status.kind, facts.residence_status.paragraph) == ("duldung", "60c")
    assert facts.benefits == "asylblg" and facts.nationality == "AF"
    assert facts.work_permission == "permitted" and facts.german_level == "A2"
    assert facts.municipality_ags == person.gemeinde.ags
    old = participant_facts(person, years_ago(2))
    assert old.residence_status is not None and old.residence_status.kind == "gestattung"


def test_status_needs_case_work_consent(world: World, worker: Any, cw: Client) -> None:
    p = make_participant(world.tenant, "Rahel", "Haile", case_worker=worker, consent=False)
    response = cw.post(url("participant_status_add", world, p.public_id), _status_form())
    assert "Die Einwilligung „Fallarbeit“ fehlt, wurde widerrufen oder ist abgelaufen." in text(
        response
    )
    assert not ResidenceStatusEntry.objects.exists()
    with pytest.raises(ConsentMissing):
        svc.benefit_add(actor=worker, participant=p, data={"kind": "asylblg", "valid_from": TODAY})
    assert not BenefitEntry.objects.exists()
    assert "Einwilligung fehlt" in text(cw.get(url("participant_detail", world, p.public_id)))


def test_benefit_overlap_and_end(world: World, cw: Client, person: Participant) -> None:
    entry = make_benefit(person, "asylblg", valid_from=years_ago(2))
    response = cw.post(
        url("participant_benefit_add", world, person.public_id),
        {"kind": "sgb2", "valid_from": (TODAY - timedelta(days=5)).isoformat()},
    )
    assert "überschneidet sich mit dem Eintrag „AsylbLG“" in text(response)
    response = cw.post(
        url("participant_benefit_end", world, person.public_id, entry.public_id),
        {"until": years_ago(3).isoformat()},
    )
    assert "Das Ende der Gültigkeit liegt vor dem Beginn." in text(response)
    response = cw.post(
        url("participant_benefit_end", world, person.public_id, entry.public_id),
        {"until": (TODAY - timedelta(days=6)).isoformat()},
    )
    assert response.status_code == 302
    response = cw.post(
        url("participant_benefit_add", world, person.public_id),
        {"kind": "sgb2", "valid_from": (TODAY - timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 302
    assert BenefitEntry.objects.filter(participant=person).count() == 2


def test_status_of_another_participant_is_404(
    world: World, worker: Any, cw: Client, person: Participant
) -> None:
    other = make_participant(world.tenant, "Leyla", "Demir", case_worker=worker)
    entry = make_status(other)
    assert (
        cw.get(url("participant_status_edit", world, person.public_id, entry.public_id)).status_code
        == 404
    )


# --- consent -------------------------------------------------------------------------------------


def test_consent_for_a_provider_needs_the_provider(
    world: World, cw: Client, person: Participant
) -> None:
    from tests.factories import make_provider

    vhs = make_provider(world.tenant)
    data = {
        "purpose": "share_provider",
        "given_on": TODAY.isoformat(),
        "form": "digital",
        "language": "de",
    }
    response = cw.post(url("participant_consent_add", world, person.public_id), data)
    assert "Nennen Sie den Träger, an den die Daten weitergegeben werden dürfen." in text(response)
    data["provider"] = str(vhs.public_id)
    response = cw.post(url("participant_consent_add", world, person.public_id), data)
    assert response.status_code == 302
    consent = Consent.objects.get(purpose="share_provider")
    assert consent.provider == vhs
    response = cw.post(
        url("participant_consent_withdraw", world, person.public_id, consent.public_id),
        {"withdrawn_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    with pytest.raises(DomainError):
        svc.consent_withdraw(actor=person.cases.get().responsible, consent=consent)
    assert AuditEvent.objects.filter(action="participant.consent_withdraw").count() == 1


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [
        ("de", "Einwilligung in die Verarbeitung personenbezogener Daten"),
        ("en", "Consent to the processing of personal data"),
        ("ar", "الموافقة على معالجة البيانات الشخصية"),
    ],
)
def test_printable_consent_form(
    world: World, cw: Client, person: Participant, lang: str, phrase: str
) -> None:
    page = text(cw.get(url("participant_consent_print", world, person.public_id, lang)))
    assert phrase in page
    assert f'lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in page
    assert 'href="/static/css/print.css" media="print"' in page
    assert "Kreis Gütersloh" in page and "Karimi" in page
    assert "15" in page and "21" in page
    blank = text(cw.get(url("consent_blank", world, lang)))
    assert phrase in blank and "Karimi" not in blank
    assert cw.get(url("consent_blank", world, "xx")).status_code == 404


# --- Art. 15, 17, 18 and retention -------------------------------------------------------------


def test_access_json_has_the_complete_record(
    world: World, cw: Client, worker: Any, person: Participant
) -> None:
    make_status(person, "duldung", "60c", valid_from=years_ago(1))
    make_benefit(person)
    cw.get(url("participant_detail", world, person.public_id))
    response = cw.get(url("participant_export_json", world, person.public_id))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    record = json.loads(response.content)
    for key in (
        "participant",
        "residence_statuses",
        "benefits",
        "consents",
        "cases",
        "education_episodes",
        "documents",
        "volunteer_assignments",
        "transfers",
        "notices",
        "access_log",
    ):
        assert key in record
    assert record["participant"]["last_name"] == "Karimi"
    assert record["residence_statuses"][0]["label"].startswith("Duldung (§ 60c")
    assert record["cases"][0]["responsible"] == worker.get_full_name()
    actions = [e["action"] for e in record["access_log"]]
    assert "read" in actions and "participant.export" in actions
    assert AuditEvent.objects.filter(action="participant.export").count() == 1


def test_access_pdf_contains_the_record_and_the_trail(
    world: World, cw: Client, person: Participant, colleague: Any
) -> None:
    from pypdf import PdfReader

    login(Client(), colleague).get(url("participant_detail", world, person.public_id))
    response = cw.get(url("participant_export_pdf", world, person.public_id))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Karimi" in content
    assert "Auskunft" in content
    assert "security.participant_denied" in content  # the colleague's refused attempt


def test_anonymise_keeps_cases_and_audit(
    world: World,
    worker: Any,
    cw: Client,
    person: Participant,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    stored = tmp_path / "documents" / "zeugnis.pdf"
    stored.parent.mkdir()
    stored.write_bytes(b"%PDF-1.4 test")
    Document.objects.create(
        tenant=world.tenant,
        participant=person,
        title="Zeugnis",
        content_type="application/pdf",
        size=13,
        storage_name="documents/zeugnis.pdf",
        sha256="0" * 64,
        uploaded_by=worker,
    )
    make_status(person, conditions="Wohnsitzauflage Verl, Meldepflicht")
    birth_year = person.birth_date.year
    response = cw.post(url("participant_erase", world, person.public_id), {"reason": ""})
    assert "Dieses Feld ist zwingend erforderlich." in text(response)
    with pytest.raises(svc.ValidationFailed):
        svc.participant_anonymise(actor=worker, participant=person, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        response = cw.post(
            url("participant_erase", world, person.public_id),
            {"reason": "Antrag der Person nach Art. 17", "confirmed": "on"},
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Anonymisiert" and "Karimi" not in person.last_name
    assert person.birth_date == date(birth_year, 1, 1)
    assert person.phone == "" and person.anonymised_at is not None
    assert ResidenceStatusEntry.objects.get(participant=person).conditions == ""
    assert not Document.objects.exists() and not stored.exists()
    assert Case.objects.filter(participant=person).exists()
    assert AuditEvent.objects.filter(action="participant.anonymise").count() == 1
    assert AuditEvent.objects.filter(action="read", object_id=str(person.public_id)).exists()
    assert "Karimi" not in text(cw.get(url("participant_list", world)))


def test_restriction_hides_and_locks(
    world: World, worker: Any, cw: Client, person: Participant
) -> None:
    response = cw.post(url("participant_restrict", world, person.public_id), {"reason": "Art. 18"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.restricted
    assert "Karimi" not in text(cw.get(url("participant_list", world)))
    assert "Karimi" in text(cw.get(url("participant_list", world), {"gesperrt": "on"}))
    page = text(cw.get(url("participant_detail", world, person.public_id)))
    assert "Verarbeitung eingeschränkt (Art. 18 DSGVO)" in page
    assert url("participant_edit", world, person.public_id) not in page
    response = cw.post(url("participant_status_add", world, person.public_id), _status_form())
    assert "Die Verarbeitung der Daten dieser Person ist eingeschränkt" in text(response)
    with pytest.raises(DomainError):
        svc.participant_update(actor=worker, participant=person, data={"phone": "9"}, version=None)
    assert not ResidenceStatusEntry.objects.exists()
    # Art. 15 still works; lifting the restriction again
    assert cw.get(url("participant_export_json", world, person.public_id)).status_code == 200
    cw.post(url("participant_restrict", world, person.public_id), {"reason": "", "target": "off"})
    cw.post(url("participant_restrict", world, person.public_id), {"reason": "", "target": "off"})
    person.refresh_from_db()
    assert not person.restricted
    assert [
        e.action
        for e in AuditEvent.objects.filter(action__startswith="participant.restrict").order_by("pk")
    ] == ["participant.restrict", "participant.restrict_lift"]


def _closed_case_person(world: World, worker: Any, name: str, closed: date) -> Participant:
    p = make_participant(world.tenant, name, "Rahimi", years_ago(25))
    make_case(
        p,
        worker,
        status="abgeschlossen",
        closed_on=closed,
        intake_date=closed - timedelta(days=200),
    )
    return p


def test_apply_retention_dry_run_and_real(world: World, worker: Any, settings: Any) -> None:
    settings.TEILHABE_RETENTION_YEARS = 3
    old = _closed_case_person(world, worker, "Alt", years_ago(3, 10))
    recent = _closed_case_person(world, worker, "Neu", years_ago(2))
    still_open = _closed_case_person(world, worker, "Offen", years_ago(5))
    make_case(still_open, worker)  # a second, open case keeps the record
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    report = out.getvalue()
    assert "PROBELAUF – es wird nichts geändert." in report
    assert "1 Person(en) würden anonymisiert:" in report
    assert old.pseudonym in report and "Alt" not in report
    assert recent.pseudonym not in report and still_open.pseudonym not in report
    old.refresh_from_db()
    assert old.anonymised_at is None
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "1 Person(en) wurden anonymisiert:" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.anonymised_at is not None and old.first_name == "Anonymisiert"
    assert recent.anonymised_at is None
    event = AuditEvent.objects.get(action="participant.anonymise")
    assert event.actor_label == "apply_retention"
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Keine Person erreicht die Frist." in out.getvalue()


def test_recheck_eligibility_command_after_expiry(
    world: World, worker: Any, person: Participant
) -> None:
    from teilhabe.offers.services import programme_rule_sets_load

    programme_rule_sets_load()
    make_status(
        person, "duldung", "60a", valid_from=years_ago(1), valid_until=TODAY - timedelta(days=1)
    )
    out = io.StringIO()
    call_command("recheck_eligibility", stdout=out)
    assert "1 Person(en) mit geänderter Förderfähigkeit" in out.getvalue()
    notice = Notice.objects.get(participant=person, user=worker)
    assert "ist am" in notice.text and "abgelaufen" in notice.text
    assert "Aufenthaltsstatus" in notice.text
    # the next day nothing new
    out = io.StringIO()
    call_command(
        "recheck_eligibility", "--date", (TODAY + timedelta(days=1)).isoformat(), stdout=out
    )
    assert "0 Person(en)" in out.getvalue()


# --- transfer -------------------------------------------------------------------------------------


def test_transfer_to_another_tenant(
    world: World, worker: Any, cw: Client, person: Participant
) -> None:
    make_status(person, "duldung", "60c", valid_from=years_ago(1))
    make_benefit(person)
    target = world.other_tenant
    form = {"to_tenant": str(target.public_id), "sections": ["benefits"]}
    response = cw.post(url("participant_transfer", world, person.public_id), form)
    assert (
        "Bitte bestätigen Sie, dass die Person der Übergabe der aufgeführten Daten zugestimmt hat."
        in text(response)
    )
    assert not Transfer.objects.exists()
    form["confirmed"] = "on"
    response = cw.post(url("participant_transfer", world, person.public_id), form)
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.handed_over == ["core", "statuses", "benefits"]
    copy = transfer.new_participant
    assert copy.tenant == target and copy.last_name == "Karimi" and copy.phone == ""
    assert copy.statuses.count() == 1 and copy.benefits.count() == 1
    assert not Case.objects.filter(participant=copy).exists()
    case = Case.objects.get(participant=person)
    assert case.status == "abgeschlossen" and case.closing_reason.startswith("Wegzug")
    assert case.outcomes.get().kind == "wegzug"
    assert AuditEvent.objects.get(action="participant.transfer").tenant == world.tenant
    assert AuditEvent.objects.get(action="participant.transfer_received").tenant == target
    # the receiving tenant's case worker takes the person up
    stranger = world.users["other_tenant"]
    other = login(Client(), stranger)
    listing = reverse("participants:transfer_list", args=[target.public_id])
    assert "Karimi" in text(other.get(listing))
    accept = reverse("participants:transfer_accept", args=[target.public_id, transfer.public_id])
    response = other.post(accept, {"module": "f6", "intake_date": TODAY.isoformat()})
    assert response.status_code == 302
    assert Case.objects.get(participant=copy).responsible == stranger
    detail = reverse("participants:participant_detail", args=[target.public_id, copy.public_id])
    response = other.get(detail)
    assert response.status_code == 200
    on = timezone.localtime(transfer.created_at).strftime("%d.%m.%Y")
    assert f"Übergeben von {world.tenant.name} am {on}" in text(response)
    assert "Übergeben an" not in text(response)
    assert "übernommen" in text(other.get(listing))
    # the sending tenant's record names where the person went
    sent = text(cw.get(url("participant_detail", world, person.public_id)))
    assert f"Übergeben an {target.name} am {on}" in sent and "Übergeben von" not in sent


def test_transfer_needs_the_consent(world: World, worker: Any) -> None:
    p = make_participant(world.tenant, "Noor", "Nasser", case_worker=worker, consent=False)
    with pytest.raises(ConsentMissing):
        svc.transfer_create(
            actor=worker, participant=p, to_tenant=world.other_tenant, sections=[], confirmed=True
        )
    assert not Transfer.objects.exists()
    assert Case.objects.get(participant=p).status == "erstkontakt"


# --- seed ----------------------------------------------------------------------------------------


def test_seed_participants_is_deterministic_and_consistent(world: World, worker: Any) -> None:
    from teilhabe.seeding.builders import Seeder
    from teilhabe.seeding.casework import seed_participants

    assert seed_participants(Seeder(7), world.tenant, 60, today=TODAY) == 60
    assert seed_participants(Seeder(7), world.tenant, 60, today=TODAY) == 0  # idempotent
    people = list(Participant.objects.filter(tenant=world.tenant).order_by("pk"))
    first = [(p.first_name, p.last_name, p.birth_date, p.pseudonym) for p in people]
    assert Case.objects.filter(tenant=world.tenant, responsible=worker).count() == 60
    for p in people:
        statuses = sorted(p.statuses.all(), key=lambda s: s.valid_from)
        assert statuses, p
        for a, b in itertools.pairwise(statuses):
            assert a.valid_until is not None and a.valid_until < b.valid_from
        assert p.benefits.exists()
        assert len(p.pseudonym) == 10
    assert Consent.objects.filter(tenant=world.tenant, purpose="case_work").count() > 40
    # the same seed again (after removing everything) gives the same people
    Consent.objects.all().delete()
    Case.objects.all().delete()
    Participant.objects.all().delete()
    seed_participants(Seeder(7), world.tenant, 60, today=TODAY)
    again = [
        (p.first_name, p.last_name, p.birth_date, p.pseudonym)
        for p in Participant.objects.filter(tenant=world.tenant).order_by("pk")
    ]
    assert again == first

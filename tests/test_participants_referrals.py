"""The referrals area: referrals with their closed-loop status flow (case worker and provider
pages), overdue answers, volunteers and documents."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teilhabe.accounts.models import Membership
from teilhabe.audit.models import AuditEvent
from teilhabe.core.errors import DomainError
from teilhabe.offers.models import Offer
from teilhabe.participants import documents
from teilhabe.participants import selectors_referrals as sel
from teilhabe.participants import services_referrals as svc
from teilhabe.participants.consent import ConsentMissing
from teilhabe.participants.models import (
    REFERRAL_PROVIDER_STEPS,
    REFERRAL_REASON_NEEDED,
    REFERRAL_TRANSITIONS,
    Document,
    EducationEpisode,
    Referral,
    ReferralEvent,
    ReferralStatus,
    VolunteerAssignment,
    VolunteerMeeting,
    VolunteerProfile,
)

from .casework_referrals_factories import (
    ReferralWorld,
    add_benefit,
    add_status,
    assign_volunteer,
    give_consent,
    jpeg_bytes,
    make_case,
    make_participant,
    make_referral,
    make_volunteer_profile,
    pdf_bytes,
    png_bytes,
    referral_world,
)
from .conftest import World, login, make_user
from .factories import make_offer, make_provider

TODAY = timezone.localdate


def _u(name: str, world: World, **kw: Any) -> str:
    return reverse(f"participants:{name}", kwargs={"tenant_id": world.tenant.public_id, **kw})


def _page(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> None:
    """The matching caches compiled rules per offer pk and version; primary keys are reused
    after a rolled-back test on SQLite, so start every test with an empty cache."""
    from teilhabe.offers import matching

    matching._CACHE.clear()


@pytest.fixture
def rw(world: World) -> ReferralWorld:
    return referral_world(world)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT)


def _sent(rw: ReferralWorld, **kw: Any) -> Referral:
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    return svc.referral_send(
        actor=rw.case_worker,
        referral=referral,
        released_fields=kw.pop("released_fields", ["name", "phone"]),
        **kw,
    )


# --- Suggestions from the matching ----------------------------------------------------------------


def test_suggestions_put_eligible_offers_first_with_reasons(rw: ReferralWorld) -> None:
    world = rw.world
    women = make_offer(world.tenant, rw.provider, key="frauen", title="Frauencafé", women_only=True)
    young = make_offer(world.tenant, rw.provider, key="u20", title="Jugendwerkstatt", max_age=20)
    add_status(rw.participant)
    add_benefit(rw.participant)
    client = login(Client(), rw.case_worker)
    page = _page(client.get(_u("referral_suggest", world, case_id=rw.case.public_id)))
    eligible = page.split('id="matches-eligible"')[1].split("</ol>")[0]
    rest = page.split('id="matches-not-eligible"')[1].split("</ol>")[0]
    assert rw.offer.title in eligible
    assert women.title in rest and young.title in rest
    assert "Nur für Frauen." in rest  # the reason, in German
    assert "nicht erfüllt" in rest
    assert "1 Angebot steht der Person offen" in page
    # the suggestion read is audited against the participant
    assert AuditEvent.objects.filter(
        action="referral.suggest", object_id=str(rw.participant.public_id)
    ).exists()


def test_offers_with_an_open_referral_are_not_suggested_again(rw: ReferralWorld) -> None:
    svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    suggestions = sel.referral_suggestions_for(actor=rw.case_worker, case=rw.case)
    assert rw.offer not in [m.offer for m in suggestions.eligible + suggestions.unknown]


def test_create_shows_the_decision_again_and_confirms_an_ineligible_offer(
    rw: ReferralWorld,
) -> None:
    world = rw.world
    young = make_offer(world.tenant, rw.provider, key="u20", title="Jugendwerkstatt", max_age=20)
    client = login(Client(), rw.case_worker)
    url = _u("referral_create", world, case_id=rw.case.public_id, offer_id=young.public_id)
    page = _page(client.get(url))
    assert "Die Person erfüllt nicht alle Bedingungen des Angebots." in page
    response = client.post(url, {"note_to_provider": ""})
    assert response.status_code == 200
    assert "bestätigen Sie die Prüfung" in _page(response)
    assert not Referral.objects.exists()
    response = client.post(url, {"confirm_ineligible": "on", "note_to_provider": "Bitte melden"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (
        referral.status == ReferralStatus.SUGGESTED and referral.note_to_provider == "Bitte melden"
    )
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.status, event.actor, event.happened_on) == (
        "vorgeschlagen",
        rw.case_worker,
        TODAY(),
    )
    audit = AuditEvent.objects.get(action="referral.create")
    assert audit.changes["_details"]["eligibility"] == "not_eligible"


def test_create_without_case_work_consent_names_the_consent(rw: ReferralWorld) -> None:
    rw.participant.consents.filter(purpose="case_work").delete()
    client = login(Client(), rw.case_worker)
    url = _u("referral_create", rw.world, case_id=rw.case.public_id, offer_id=rw.offer.public_id)
    page = _page(client.post(url, {"note_to_provider": ""}))
    assert "Die Einwilligung „Fallarbeit“ fehlt, wurde widerrufen oder ist abgelaufen." in page
    assert not Referral.objects.exists()


def test_second_open_referral_to_the_same_offer_is_refused(rw: ReferralWorld) -> None:
    svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    client = login(Client(), rw.case_worker)
    url = _u("referral_create", rw.world, case_id=rw.case.public_id, offer_id=rw.offer.public_id)
    page = _page(client.post(url, {"note_to_provider": ""}))
    assert "schon eine offene Vermittlung" in page
    assert Referral.objects.count() == 1


def test_closed_case_and_ended_offer_refuse_referrals(rw: ReferralWorld) -> None:
    ended = make_offer(rw.world.tenant, rw.provider, key="alt", status="beendet")
    with pytest.raises(DomainError, match="nicht offen"):
        svc.referral_create(actor=rw.case_worker, case=rw.case, offer=ended)
    rw.case.status = "abgeschlossen"
    rw.case.save()
    with pytest.raises(DomainError, match="abgeschlossen"):
        svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    assert not Referral.objects.exists()


def test_restricted_record_takes_no_new_referrals_meetings_or_documents(
    rw: ReferralWorld, media: Path
) -> None:
    referral = _sent(rw)
    give_consent(rw.participant, "volunteer", rw.case_worker)
    profile = make_volunteer_profile(rw.world.tenant, rw.world.users["volunteer"])
    rw.participant.restricted = True
    rw.participant.save()
    message = "eingeschränkt"
    with pytest.raises(DomainError, match=message):
        svc.referral_create(
            actor=rw.case_worker,
            case=rw.case,
            offer=make_offer(rw.world.tenant, rw.provider, key="neu"),
        )
    with pytest.raises(DomainError, match=message):
        svc.referral_answer(
            actor=rw.world.users["provider"], referral=referral, status="angenommen"
        )
    with pytest.raises(DomainError, match=message):
        svc.volunteer_assign(actor=rw.case_worker, profile=profile, participant=rw.participant)
    upload = SimpleUploadedFile("a.png", png_bytes())
    with pytest.raises(DomainError, match=message):
        documents.document_upload(
            actor=rw.case_worker, participant=rw.participant, upload=upload, title="Scan"
        )
    assert Referral.objects.count() == 1 and not Document.objects.exists()
    # withdrawing still works: it reduces the processing
    svc.referral_withdraw(actor=rw.case_worker, referral=referral)


# --- Sending: consent and released fields ---------------------------------------------------------


def test_sending_without_sharing_consent_names_consent_and_provider(world: World) -> None:
    rw = referral_world(world, share=False)
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    client = login(Client(), rw.case_worker)
    page = _page(
        client.post(
            _u("referral_send", world, referral_id=referral.public_id),
            {"released_fields": ["name"], "note_to_provider": ""},
        )
    )
    assert (
        "Die Einwilligung „Weitergabe an einen Träger“ für Bildungswerk Gütersloh fehlt, "
        "wurde widerrufen oder ist abgelaufen." in page
    )
    referral.refresh_from_db()
    assert referral.status == "vorgeschlagen" and referral.sent_on is None
    assert ReferralEvent.objects.filter(referral=referral).count() == 1
    assert not AuditEvent.objects.filter(action="referral.send").exists()


def test_consent_for_another_provider_does_not_count(world: World) -> None:
    rw = referral_world(world, share=False)
    other = make_provider(world.tenant, "Andere GmbH")
    give_consent(rw.participant, "share_provider", rw.case_worker, provider=other)
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    with pytest.raises(ConsentMissing):
        svc.referral_send(actor=rw.case_worker, referral=referral, released_fields=["name"])


def test_sending_releases_only_the_chosen_fields_and_sets_the_answer_date(
    rw: ReferralWorld, settings: Any
) -> None:
    settings.TEILHABE_REFERRAL_ANSWER_DAYS = 10
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    client = login(Client(), rw.case_worker)
    response = client.post(
        _u("referral_send", rw.world, referral_id=referral.public_id),
        {"released_fields": ["name", "birth_date"], "note_to_provider": ""},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "gesendet"
    assert referral.sent_on == TODAY()
    assert referral.answer_due == TODAY() + timedelta(days=10)
    assert referral.released_fields == ["name", "birth_date"]
    assert [e.status for e in referral.events.all()] == ["vorgeschlagen", "gesendet"]
    audit = AuditEvent.objects.get(action="referral.send")
    assert audit.changes["status"] == ["vorgeschlagen", "gesendet"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"released_fields": ["residence_status"]}, "keine gültige Auswahl"),
        ({"released_fields": []}, "Wählen Sie mindestens die Angaben"),
        ({"released_fields": ["name", "note"], "note_to_provider": " "}, "Schreiben Sie die Notiz"),
    ],
)
def test_bad_send_input_shows_german_error_and_writes_nothing(
    rw: ReferralWorld, data: dict[str, Any], message: str
) -> None:
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    client = login(Client(), rw.case_worker)
    page = _page(client.post(_u("referral_send", rw.world, referral_id=referral.public_id), data))
    assert message in page
    referral.refresh_from_db()
    assert referral.status == "vorgeschlagen" and referral.released_fields == []


def test_service_never_releases_residence_status_benefits_health_or_documents(
    rw: ReferralWorld,
) -> None:
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    for field in ("residence_status", "benefits", "health", "documents", "statuses"):
        with pytest.raises(DomainError, match="nicht an einen Träger freigegeben"):
            svc.referral_send(actor=rw.case_worker, referral=referral, released_fields=[field])
    assert set(svc.RELEASABLE_FIELDS) == {
        "name",
        "birth_date",
        "phone",
        "email",
        "languages",
        "german_level",
        "note",
    }


# --- The status flow ------------------------------------------------------------------------------


def test_whole_flow_with_the_provider_takes_a_seat_and_adds_an_episode(
    rw: ReferralWorld,
) -> None:
    provider_user = rw.world.users["provider"]
    seats = rw.offer.seats_taken
    referral = _sent(rw)
    for status in ("angenommen", "begonnen", "abgeschlossen"):
        svc.referral_answer(actor=provider_user, referral=referral, status=status)
    referral.refresh_from_db()
    assert referral.status == "abgeschlossen"
    steps = [(e.status, e.actor) for e in referral.events.all()]
    assert steps == [
        ("vorgeschlagen", rw.case_worker),
        ("gesendet", rw.case_worker),
        ("angenommen", provider_user),
        ("begonnen", provider_user),
        ("abgeschlossen", provider_user),
    ]
    offer = Offer.objects.get(pk=rw.offer.pk)
    assert offer.seats_taken == seats + 1  # "begonnen" took a seat, completion keeps it
    assert offer.version == rw.offer.version + 1
    episode = EducationEpisode.objects.get(referral=referral)
    assert episode.participant == rw.participant and episode.title == rw.offer.title
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"referral.create", "referral.send", "referral.answer", "offer.counter"} <= actions


def test_dropping_out_needs_a_reason_and_frees_the_seat(rw: ReferralWorld) -> None:
    provider_user = rw.world.users["provider"]
    referral = _sent(rw)
    svc.referral_answer(actor=provider_user, referral=referral, status="angenommen")
    svc.referral_answer(actor=provider_user, referral=referral, status="begonnen")
    with pytest.raises(DomainError, match="Bitte geben Sie einen Grund an"):
        svc.referral_answer(actor=provider_user, referral=referral, status="abgebrochen")
    svc.referral_answer(
        actor=provider_user, referral=referral, status="abgebrochen", reason="Umzug nach Köln"
    )
    referral.refresh_from_db()
    assert referral.reason == "Umzug nach Köln"
    assert referral.events.last().reason == "Umzug nach Köln"  # type: ignore[union-attr]
    assert Offer.objects.get(pk=rw.offer.pk).seats_taken == rw.offer.seats_taken


def test_every_transition_follows_the_model_table(rw: ReferralWorld) -> None:
    """For every pair of statuses: the provider may make exactly the provider steps allowed by
    REFERRAL_TRANSITIONS, the case worker exactly the withdrawal where allowed."""
    provider_user = rw.world.users["provider"]
    rw.offer.capacity = None
    rw.offer.save()
    today = TODAY()
    for old in ReferralStatus.values:
        if old == "vorgeschlagen":
            continue
        for new in ReferralStatus.values:
            referral = make_referral(
                rw.case, rw.offer, rw.case_worker, status=old, sent_on=today, answer_due=today
            )
            allowed = new in REFERRAL_TRANSITIONS[old]
            try:
                if new == "zurueckgezogen":
                    svc.referral_withdraw(actor=rw.case_worker, referral=referral)
                else:
                    svc.referral_answer(
                        actor=provider_user, referral=referral, status=new, reason="Grund"
                    )
            except DomainError:
                ok = False
            else:
                ok = True
            expected = allowed and (new == "zurueckgezogen" or new in REFERRAL_PROVIDER_STEPS)
            assert ok is expected, f"{old} -> {new}"
            referral.refresh_from_db()
            assert referral.status == (new if ok else old)


def test_the_case_worker_cannot_answer_and_the_provider_cannot_send(rw: ReferralWorld) -> None:
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    with pytest.raises(PermissionDenied):
        svc.referral_send(
            actor=rw.world.users["provider"], referral=referral, released_fields=["name"]
        )
    svc.referral_send(actor=rw.case_worker, referral=referral, released_fields=["name"])
    with pytest.raises(PermissionDenied):
        svc.referral_answer(actor=rw.case_worker, referral=referral, status="angenommen")


def test_withdrawal_by_the_case_worker(rw: ReferralWorld) -> None:
    referral = _sent(rw)
    client = login(Client(), rw.case_worker)
    response = client.post(
        _u("referral_withdraw", rw.world, referral_id=referral.public_id),
        {"reason": "Person hat eine Arbeit gefunden", "expected_status": "gesendet"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "zurueckgezogen"
    assert referral.events.last().actor == rw.case_worker  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="referral.withdraw").exists()
    # a second withdrawal (stale form) is a conflict and changes nothing
    page = _page(
        client.post(
            _u("referral_withdraw", rw.world, referral_id=referral.public_id),
            {"reason": "", "expected_status": "gesendet"},
        )
    )
    assert "Jemand anderes hat die Vermittlung inzwischen geändert" in page
    assert referral.events.count() == 3


def test_starting_in_a_full_offer_is_refused(rw: ReferralWorld) -> None:
    rw.offer.capacity, rw.offer.seats_taken = 10, 10
    rw.offer.save()
    provider_user = rw.world.users["provider"]
    referral = _sent(rw)
    svc.referral_answer(actor=provider_user, referral=referral, status="angenommen")
    with pytest.raises(DomainError, match="Alle 10 Plätze des Angebots sind belegt"):
        svc.referral_answer(actor=provider_user, referral=referral, status="begonnen")
    referral.refresh_from_db()
    assert referral.status == "angenommen"
    assert Offer.objects.get(pk=rw.offer.pk).seats_taken == 10


def test_the_waiting_list_counter_follows_the_referral(rw: ReferralWorld) -> None:
    provider_user = rw.world.users["provider"]
    referral = _sent(rw)
    svc.referral_answer(actor=provider_user, referral=referral, status="warteliste")
    assert Offer.objects.get(pk=rw.offer.pk).waiting_list == 1
    svc.referral_answer(actor=provider_user, referral=referral, status="angenommen")
    assert Offer.objects.get(pk=rw.offer.pk).waiting_list == 0


def test_dates_of_a_step_are_checked(rw: ReferralWorld) -> None:
    provider_user = rw.world.users["provider"]
    referral = _sent(rw)
    with pytest.raises(DomainError, match="in der Zukunft"):
        svc.referral_answer(
            actor=provider_user,
            referral=referral,
            status="angenommen",
            on=TODAY() + timedelta(days=1),
        )
    with pytest.raises(DomainError, match="vor dem vorigen Schritt"):
        svc.referral_answer(
            actor=provider_user,
            referral=referral,
            status="angenommen",
            on=TODAY() - timedelta(days=1),
        )
    assert referral.events.count() == 2


# --- Provider pages -------------------------------------------------------------------------------


def test_provider_sees_only_the_released_fields(rw: ReferralWorld) -> None:
    add_status(rw.participant)
    add_benefit(rw.participant)
    referral = _sent(rw, released_fields=["name", "german_level"])
    client = login(Client(), rw.world.users["provider"])
    listing = _page(client.get(_u("referral_provider_list", rw.world)))
    assert "Amir Haddad" in listing
    page = _page(
        client.get(_u("referral_provider_detail", rw.world, referral_id=referral.public_id))
    )
    released = page.split('id="released-data"')[1].split("</dl>")[0]
    assert "Amir Haddad" in released and "A2" in released
    for hidden in (
        "0151 2345678",
        "amir@example.org",
        "12.04.2003",
        "Duldung",
        "duldung",
        "60a",
        "AsylbLG",
        "Ausländerbehörde",
        "Fußball",
    ):
        assert hidden not in page, hidden
    assert AuditEvent.objects.filter(
        action="referral.provider_read", object_id=str(rw.participant.public_id)
    ).exists()


def test_provider_answers_on_its_own_page(rw: ReferralWorld) -> None:
    referral = _sent(rw)
    client = login(Client(), rw.world.users["provider"])
    url = _u("referral_provider_detail", rw.world, referral_id=referral.public_id)
    day = TODAY().isoformat()
    page = _page(
        client.post(
            url,
            {
                "status": "abgelehnt",
                "reason": "",
                "happened_on": day,
                "expected_status": "gesendet",
            },
        )
    )
    assert "Bitte geben Sie einen Grund an." in page
    referral.refresh_from_db()
    assert referral.status == "gesendet"
    response = client.post(
        url,
        {
            "status": "abgelehnt",
            "reason": "Kurs ist voll",
            "happened_on": day,
            "expected_status": "gesendet",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.reason) == ("abgelehnt", "Kurs ist voll")
    # the case worker sees the answer in the history of the case
    cw = login(Client(), rw.case_worker)
    history = _page(cw.get(_u("referral_case", rw.world, case_id=rw.case.public_id)))
    assert "abgelehnt" in history and "Kurs ist voll" in history


def test_provider_does_not_see_suggested_referrals(rw: ReferralWorld) -> None:
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    client = login(Client(), rw.world.users["provider"])
    assert "Amir" not in _page(client.get(_u("referral_provider_list", rw.world)))
    url = _u("referral_provider_detail", rw.world, referral_id=referral.public_id)
    assert client.get(url).status_code == 404


def test_withdrawn_consent_hides_the_data_and_blocks_answers(rw: ReferralWorld) -> None:
    referral = _sent(rw)
    rw.share.withdrawn_on = TODAY()
    rw.share.save()
    client = login(Client(), rw.world.users["provider"])
    listing = _page(client.get(_u("referral_provider_list", rw.world)))
    assert "Einwilligung widerrufen" in listing and "Amir" not in listing
    url = _u("referral_provider_detail", rw.world, referral_id=referral.public_id)
    page = _page(client.get(url))
    assert "Einwilligung widerrufen" in page
    assert "Amir" not in page and "0151" not in page
    response = client.post(
        url,
        {
            "status": "angenommen",
            "reason": "",
            "happened_on": TODAY().isoformat(),
            "expected_status": "gesendet",
        },
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "gesendet"
    with pytest.raises(ConsentMissing):
        svc.referral_answer(
            actor=rw.world.users["provider"], referral=referral, status="angenommen"
        )


def test_another_providers_referral_is_404_and_audited(rw: ReferralWorld) -> None:
    world = rw.world
    referral = _sent(rw)
    other_user = make_user("traeger2")
    Membership.objects.create(tenant=world.tenant, user=other_user, role="provider")
    make_provider(world.tenant, "Konkurrenz e. V.", staff=[other_user])
    client = login(Client(), other_user)
    url = _u("referral_provider_detail", world, referral_id=referral.public_id)
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "angenommen"}).status_code == 404
    assert "Amir" not in _page(client.get(_u("referral_provider_list", world)))
    denied = AuditEvent.objects.filter(action="security.referral_denied", actor=other_user)
    assert denied.count() == 2
    referral.refresh_from_db()
    assert referral.status == "gesendet"


def test_provider_list_query_count_does_not_grow(
    rw: ReferralWorld, django_assert_max_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            p = make_participant(rw.world.tenant, first_name=f"P{i}{Referral.objects.count()}")
            case = make_case(p, rw.case_worker)
            give_consent(p, "share_provider", rw.case_worker, provider=rw.provider)
            make_referral(
                case,
                rw.offer,
                rw.case_worker,
                status="gesendet",
                sent_on=TODAY(),
                answer_due=TODAY(),
                released_fields=["name"],
            )

    client = login(Client(), rw.world.users["provider"])
    url = _u("referral_provider_list", rw.world)
    add(2)
    client.get(url)
    with django_assert_max_num_queries(40) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    add(12)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert "14 Vermittlungen" in _page(response)


# --- Overdue answers ------------------------------------------------------------------------------


def test_overdue_selector_and_page(rw: ReferralWorld, django_assert_max_num_queries: Any) -> None:
    world = rw.world
    past = TODAY() - timedelta(days=20)
    overdue = make_referral(
        rw.case,
        rw.offer,
        rw.case_worker,
        status="gesendet",
        sent_on=past,
        answer_due=past + timedelta(days=14),
    )
    answered = make_referral(
        rw.case,
        rw.offer,
        rw.case_worker,
        status="angenommen",
        sent_on=past,
        answer_due=past + timedelta(days=14),
    )
    in_time = make_referral(
        rw.case,
        rw.offer,
        rw.case_worker,
        status="gesendet",
        sent_on=TODAY(),
        answer_due=TODAY() + timedelta(days=14),
    )
    # another case worker's referral is not mine
    colleague = make_user("kollegin")
    Membership.objects.create(tenant=world.tenant, user=colleague, role="case_worker")
    other_case = make_case(make_participant(world.tenant, "Lina", "Nasser"), colleague)
    theirs = make_referral(
        other_case, rw.offer, colleague, status="gesendet", sent_on=past, answer_due=past
    )
    mine = list(sel.overdue_referrals_for(rw.case_worker, world.tenant))
    assert mine == [overdue]
    assert list(sel.overdue_referrals_for(actor=colleague, tenant=world.tenant)) == [theirs]
    assert answered not in mine and in_time not in mine
    # roles without case work get an empty list (safe on any dashboard)
    assert not sel.overdue_referrals_for(world.users["coordination"], world.tenant).exists()
    client = login(Client(), rw.case_worker)
    page = _page(client.get(_u("referral_overdue", world)))
    table = page.split('id="overdue-table"')[1]
    assert "Haddad, Amir" in table and "Nasser" not in table and "überfällig" in table
    listing = _page(client.get(_u("referral_list", world)))
    assert "1 Vermittlung wartet über ihr Datum hinaus auf eine Antwort." in listing


def test_referral_list_query_count_does_not_grow(
    rw: ReferralWorld, django_assert_max_num_queries: Any
) -> None:
    client = login(Client(), rw.case_worker)
    url = _u("referral_list", rw.world)

    def add(n: int) -> None:
        for _i in range(n):
            make_referral(
                rw.case,
                rw.offer,
                rw.case_worker,
                status="gesendet",
                sent_on=TODAY(),
                answer_due=TODAY(),
            )

    add(2)
    client.get(url)
    with django_assert_max_num_queries(40) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    add(15)
    with django_assert_max_num_queries(baseline):
        client.get(url)
    with django_assert_max_num_queries(baseline):
        client.get(_u("referral_overdue", rw.world))


def test_case_history_query_count_does_not_grow(
    rw: ReferralWorld, django_assert_max_num_queries: Any
) -> None:
    client = login(Client(), rw.case_worker)
    url = _u("referral_case", rw.world, case_id=rw.case.public_id)
    make_referral(rw.case, rw.offer, rw.case_worker, status="angenommen", sent_on=TODAY())
    with django_assert_max_num_queries(40) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    for _i in range(8):
        make_referral(rw.case, rw.offer, rw.case_worker, status="angenommen", sent_on=TODAY())
    with django_assert_max_num_queries(baseline):
        client.get(url)


# --- Guessing URLs --------------------------------------------------------------------------------


def test_case_worker_not_assigned_gets_404_on_every_case_url(rw: ReferralWorld) -> None:
    world = rw.world
    stranger = make_user("fremd")
    Membership.objects.create(tenant=world.tenant, user=stranger, role="case_worker")
    referral = svc.referral_create(actor=rw.case_worker, case=rw.case, offer=rw.offer)
    client = login(Client(), stranger)
    urls = [
        _u("referral_case", world, case_id=rw.case.public_id),
        _u("referral_suggest", world, case_id=rw.case.public_id),
        _u("referral_create", world, case_id=rw.case.public_id, offer_id=rw.offer.public_id),
        _u("referral_detail", world, referral_id=referral.public_id),
        _u("referral_send", world, referral_id=referral.public_id),
        _u("referral_withdraw", world, referral_id=referral.public_id),
        _u("document_list", world, participant_id=rw.participant.public_id),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[4], {"released_fields": ["name"]}).status_code == 404
    assert AuditEvent.objects.filter(actor=stranger, action__startswith="security.").count() == 8
    referral.refresh_from_db()
    assert referral.status == "vorgeschlagen"


def test_team_member_may_work_on_the_referrals(rw: ReferralWorld) -> None:
    colleague = make_user("team")
    Membership.objects.create(tenant=rw.world.tenant, user=colleague, role="case_worker")
    rw.case.team.add(colleague)
    client = login(Client(), colleague)
    assert client.get(_u("referral_case", rw.world, case_id=rw.case.public_id)).status_code == 200


def test_another_tenants_case_is_404(rw: ReferralWorld) -> None:
    world = rw.world
    stranger = world.users["other_tenant"]
    other_case = make_case(make_participant(world.other_tenant, "Sara", "Ali"), stranger)
    client = login(Client(), rw.case_worker)
    url = reverse(
        "participants:referral_case",
        kwargs={"tenant_id": world.tenant.public_id, "case_id": other_case.public_id},
    )
    assert client.get(url).status_code == 404


# --- Volunteers -----------------------------------------------------------------------------------


def test_coordination_records_a_volunteer_with_clearance_warning(world: World) -> None:
    volunteer = world.users["volunteer"]
    client = login(Client(), world.users["coordination"])
    url = _u("volunteer_create", world)
    future = (TODAY() + timedelta(days=3)).isoformat()
    page = _page(
        client.post(url, {"user": str(volunteer.public_id), "police_clearance_on": future})
    )
    assert "Das Datum liegt in der Zukunft." in page
    assert not VolunteerProfile.objects.exists()
    old = date(TODAY().year - 6, 1, 15).isoformat()
    response = client.post(
        url,
        {
            "user": str(volunteer.public_id),
            "availability": "samstags",
            "languages": ["de", "ar"],
            "police_clearance_on": old,
        },
    )
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get()
    assert profile.languages == ["de", "ar"] and profile.tenant == world.tenant
    detail = _page(client.get(_u("volunteer_detail", world, profile_id=profile.public_id)))
    assert 'id="clearance-warning"' in detail and "älter als fünf Jahre" in detail
    listing = _page(client.get(_u("volunteer_list", world)))
    assert "fehlt oder älter als 5 Jahre" in listing
    assert AuditEvent.objects.filter(action="volunteer.create").exists()
    profile.police_clearance_on = TODAY() - timedelta(days=400)
    profile.save()
    assert not sel.clearance_warning(profile)


def test_only_volunteer_members_get_a_record(world: World) -> None:
    with pytest.raises(DomainError, match="nicht ehrenamtlich"):
        svc.volunteer_profile_save(
            actor=world.users["coordination"],
            tenant=world.tenant,
            data={},
            user=world.users["case_worker"],
        )
    assert not VolunteerProfile.objects.exists()


def test_assignment_needs_the_volunteer_consent(rw: ReferralWorld) -> None:
    world = rw.world
    profile = make_volunteer_profile(world.tenant, world.users["volunteer"])
    client = login(Client(), rw.case_worker)
    url = _u("volunteer_assign", world, profile_id=profile.public_id)
    data = {"participant": str(rw.participant.public_id), "started_on": TODAY().isoformat()}
    page = _page(client.post(url, data))
    assert (
        "Die Einwilligung „ehrenamtliche Begleitung“ fehlt, wurde widerrufen oder ist abgelaufen."
        in page
    )
    assert not VolunteerAssignment.objects.exists()
    give_consent(rw.participant, "volunteer", rw.case_worker)
    future = {**data, "started_on": (TODAY() + timedelta(days=2)).isoformat()}
    assert "nicht in der Zukunft beginnen" in _page(client.post(url, future))
    assert client.post(url, data).status_code == 302
    assignment = VolunteerAssignment.objects.get()
    assert assignment.volunteer == world.users["volunteer"]
    assert AuditEvent.objects.filter(
        action="volunteer.assign", object_id=str(rw.participant.public_id)
    ).exists()
    # twice is refused
    assert "begleitet diese Person bereits" in _page(client.post(url, data))


def test_coordination_cannot_assign_people_it_does_not_see(rw: ReferralWorld) -> None:
    world = rw.world
    profile = make_volunteer_profile(world.tenant, world.users["volunteer"])
    client = login(Client(), world.users["coordination"])
    assert (
        client.get(_u("volunteer_assign", world, profile_id=profile.public_id)).status_code == 403
    )
    give_consent(rw.participant, "volunteer", rw.case_worker)
    with pytest.raises(PermissionDenied):
        svc.volunteer_assign(
            actor=world.users["coordination"], profile=profile, participant=rw.participant
        )
    # the profile page shows a pseudonym instead of the name to coordination
    assign_volunteer(rw.participant, world.users["volunteer"])
    detail = _page(client.get(_u("volunteer_detail", world, profile_id=profile.public_id)))
    assert "Haddad" not in detail and rw.participant.pseudonym in detail


def _volunteer_setup(rw: ReferralWorld) -> VolunteerAssignment:
    """A participant with residence status, benefits, a document and sensitive notes,
    assigned to the volunteer persona."""
    add_status(rw.participant, "duldung", "60a")
    add_benefit(rw.participant, "asylblg")
    rw.participant.certificates = "Attest Psychotherapie"
    rw.participant.street = "Geheimweg 7"
    rw.participant.save()
    Document.objects.create(
        tenant=rw.world.tenant,
        participant=rw.participant,
        title="Duldungsbescheinigung",
        content_type="application/pdf",
        size=10,
        storage_name="documents/1/" + "a" * 32,
        sha256="0" * 64,
        uploaded_by=rw.case_worker,
    )
    give_consent(rw.participant, "volunteer", rw.case_worker)
    make_volunteer_profile(rw.world.tenant, rw.world.users["volunteer"])
    return assign_volunteer(rw.participant, rw.world.users["volunteer"])


FORBIDDEN_FOR_VOLUNTEERS = (
    "Duldung",
    "duldung",
    "§ 60a",  # (a bare "60a" also occurs in random UUIDs and tokens of the page)
    "AsylbLG",
    "asylblg",
    "Ausländerbehörde",
    "Duldungsbescheinigung",
    "Psychotherapie",
    "12.04.2003",
    "2003-04-12",
    "amir@example.org",
    "Geheimweg",
    "Bildungswerk",  # the referrals
)


def test_volunteer_sees_only_the_released_fields(rw: ReferralWorld) -> None:
    _volunteer_setup(rw)
    _sent(rw)
    client = login(Client(), rw.world.users["volunteer"])
    pages = [
        _page(client.get(_u("volunteer_home", rw.world))),
        _page(
            client.get(
                _u("volunteer_participant", rw.world, participant_id=rw.participant.public_id)
            )
        ),
    ]
    for page in pages:
        for word in FORBIDDEN_FOR_VOLUNTEERS:
            assert word not in page, word
    detail = pages[1]
    for shown in ("Amir", "Haddad", "0151 2345678", "Arabisch", "Fußball, Kochen"):
        assert shown in detail, shown
    assert AuditEvent.objects.filter(
        action="volunteer.read", object_id=str(rw.participant.public_id)
    ).exists()
    # volunteers never reach documents, referrals or the records of volunteers
    for url in (_u("document_list", rw.world, participant_id=rw.participant.public_id),):
        assert client.get(url).status_code == 404
    for url in (_u("referral_list", rw.world), _u("volunteer_list", rw.world)):
        assert client.get(url).status_code == 403


def test_volunteer_logs_meetings(rw: ReferralWorld) -> None:
    assignment = _volunteer_setup(rw)
    client = login(Client(), rw.world.users["volunteer"])
    url = _u("volunteer_participant", rw.world, participant_id=rw.participant.public_id)
    future = {"happened_on": (TODAY() + timedelta(days=1)).isoformat(), "minutes": "60"}
    assert "Das Datum liegt in der Zukunft." in _page(client.post(url, future))
    before = {
        "happened_on": (assignment.started_on - timedelta(days=1)).isoformat(),
        "minutes": "60",
    }
    assert "vor dem Beginn der Begleitung" in _page(client.post(url, before))
    too_long = {"happened_on": TODAY().isoformat(), "minutes": "900"}
    assert "zwischen 1 und 720 Minuten" in _page(client.post(url, too_long))
    assert not VolunteerMeeting.objects.exists()
    ok = {"happened_on": TODAY().isoformat(), "minutes": "90", "note": "Bewerbung geschrieben"}
    assert client.post(url, ok).status_code == 302
    meeting = VolunteerMeeting.objects.get()
    assert (meeting.minutes, meeting.assignment) == (90, assignment)
    assert "Bewerbung geschrieben" in _page(client.get(url))
    assert AuditEvent.objects.filter(action="volunteer.meeting").exists()


def test_ending_the_assignment_removes_access_at_once(rw: ReferralWorld) -> None:
    assignment = _volunteer_setup(rw)
    volunteer = login(Client(), rw.world.users["volunteer"])
    url = _u("volunteer_participant", rw.world, participant_id=rw.participant.public_id)
    assert volunteer.get(url).status_code == 200
    manager = login(Client(), rw.world.users["coordination"])
    end = _u("volunteer_assignment_end", rw.world, assignment_id=assignment.public_id)
    assert manager.post(end, {"last_day": ""}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == TODAY() - timedelta(days=1)
    assert volunteer.get(url).status_code == 404
    assert (
        volunteer.post(url, {"happened_on": TODAY().isoformat(), "minutes": "30"}).status_code
        == 404
    )
    assert "Haddad" not in _page(volunteer.get(_u("volunteer_home", rw.world)))
    assert AuditEvent.objects.filter(action="volunteer.assignment_end").exists()
    assert not VolunteerMeeting.objects.exists()


def test_ending_with_a_last_day_in_the_future_keeps_access_until_then(rw: ReferralWorld) -> None:
    assignment = _volunteer_setup(rw)
    svc.volunteer_assignment_end(
        actor=rw.case_worker, assignment=assignment, last_day=TODAY() + timedelta(days=7)
    )
    volunteer = login(Client(), rw.world.users["volunteer"])
    url = _u("volunteer_participant", rw.world, participant_id=rw.participant.public_id)
    assert volunteer.get(url).status_code == 200
    with pytest.raises(DomainError, match="vor dem Beginn"):
        svc.volunteer_assignment_end(
            actor=rw.case_worker,
            assignment=assignment,
            last_day=assignment.started_on - timedelta(days=5),
        )


def test_volunteer_guessing_a_participant_url_is_404_and_audited(rw: ReferralWorld) -> None:
    client = login(Client(), rw.world.users["volunteer"])
    url = _u("volunteer_participant", rw.world, participant_id=rw.participant.public_id)
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action="security.participant_denied", actor=rw.world.users["volunteer"]
    ).exists()


# --- Documents ------------------------------------------------------------------------------------


def _upload(
    client: Client, rw: ReferralWorld, name: str, data: bytes, title: str = "Zeugnis"
) -> Any:
    return client.post(
        _u("document_list", rw.world, participant_id=rw.participant.public_id),
        {"title": title, "file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


@pytest.mark.parametrize(
    ("name", "maker", "content_type"),
    [
        ("zeugnis.pdf", pdf_bytes, "application/pdf"),
        ("foto.jpg", jpeg_bytes, "image/jpeg"),
        ("scan.png", png_bytes, "image/png"),
        ("umbenannt.pdf", png_bytes, "image/png"),  # a PNG named .pdf is stored as PNG
    ],
)
def test_upload_decides_the_type_by_content(
    rw: ReferralWorld, media: Path, name: str, maker: Any, content_type: str
) -> None:
    data = maker()
    client = login(Client(), rw.case_worker)
    assert _upload(client, rw, name, data).status_code == 302
    document = Document.objects.get()
    assert document.content_type == content_type
    assert document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.storage_name.startswith(f"documents/{rw.world.tenant.pk}/")
    path = media / document.storage_name
    assert path.read_bytes() == data
    assert name not in document.storage_name and "." not in path.name
    assert AuditEvent.objects.filter(action="document.upload").exists()
    # never below the static or a public media URL
    assert not str(path).startswith(str(settings.STATIC_ROOT))
    for guess in (f"/{document.storage_name}", f"/media/{document.storage_name}"):
        assert client.get(guess).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64,  # an .exe
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"  %PDF-1.4 with leading blanks",
        b"GIF89a\x01\x00\x01\x00",
    ],
)
def test_other_content_named_pdf_is_refused(rw: ReferralWorld, media: Path, data: bytes) -> None:
    client = login(Client(), rw.case_worker)
    page = _page(_upload(client, rw, "bescheid.pdf", data))
    assert "Nach ihrem Inhalt ist diese Datei keins davon" in page
    assert not Document.objects.exists()
    directory = media / "documents" / str(rw.world.tenant.pk)
    assert not directory.exists() or not any(directory.iterdir())


def test_size_limit_and_empty_files(rw: ReferralWorld, media: Path, settings: Any) -> None:
    settings.TEILHABE_DOCUMENT_MAX_BYTES = 1_000_000
    client = login(Client(), rw.case_worker)
    big = b"%PDF-1.4\n" + b"0" * 1_200_000
    page = _page(_upload(client, rw, "gross.pdf", big))
    assert "Die Datei ist zu groß (1,2 MB); erlaubt sind höchstens 1 MB." in page
    assert "Die Datei ist leer." in _page(_upload(client, rw, "leer.pdf", b""))
    assert "Dieses Feld ist zwingend erforderlich." in _page(
        _upload(client, rw, "x.pdf", pdf_bytes(), title="")
    )
    assert not Document.objects.exists()
    assert not (media / "documents").exists() or not any((media / "documents").rglob("*.*"))


def test_download_is_an_audited_attachment(rw: ReferralWorld, media: Path) -> None:
    client = login(Client(), rw.case_worker)
    data = pdf_bytes()
    _upload(client, rw, "Zeugnis Schule.pdf", data, title="Zeugnis Schule")
    document = Document.objects.get()
    response = client.get(_u("document_download", rw.world, document_id=document.public_id))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "zeugnis-schule.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    audit = AuditEvent.objects.get(action="document.download")
    assert audit.object_id == str(rw.participant.public_id)
    assert audit.changes["_details"]["document"] == str(document.public_id)


def test_documents_only_for_the_case_workers_of_the_person(rw: ReferralWorld, media: Path) -> None:
    world = rw.world
    client = login(Client(), rw.case_worker)
    _upload(client, rw, "a.png", png_bytes())
    document = Document.objects.get()
    stranger = make_user("fremd")
    Membership.objects.create(tenant=world.tenant, user=stranger, role="case_worker")
    _volunteer_setup(rw)  # the volunteer is assigned to the person, and still never sees them
    download = _u("document_download", world, document_id=document.public_id)
    for persona, user, status in (
        ("stranger", stranger, 404),
        ("volunteer", world.users["volunteer"], 404),
        ("provider", world.users["provider"], 403),
        ("coordination", world.users["coordination"], 403),
        ("other tenant", world.users["other_tenant"], 404),
    ):
        assert login(Client(), user).get(download).status_code == status, persona
    assert not AuditEvent.objects.filter(action="document.download").exists()
    assert AuditEvent.objects.filter(action="security.document_denied").count() == 2


def test_delete_removes_the_file_and_is_audited(
    rw: ReferralWorld, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(Client(), rw.case_worker)
    _upload(client, rw, "a.png", png_bytes())
    document = Document.objects.get()
    path = media / document.storage_name
    assert path.exists()
    url = _u("document_delete", rw.world, document_id=document.public_id)
    assert "wird im Protokoll vermerkt" in _page(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Document.objects.exists()
    assert not path.exists()
    assert AuditEvent.objects.filter(action="document.delete").exists()


def test_consent_scans_are_kept(rw: ReferralWorld, media: Path) -> None:
    client = login(Client(), rw.case_worker)
    _upload(client, rw, "einwilligung.pdf", pdf_bytes())
    document = Document.objects.get()
    rw.share.document = document
    rw.share.save()
    with pytest.raises(DomainError, match="Scan einer Einwilligung"):
        documents.document_delete(actor=rw.case_worker, document=document)
    assert Document.objects.exists()


def test_stored_path_refuses_foreign_names(rw: ReferralWorld, media: Path) -> None:
    document = Document(storage_name="../../etc/passwd")
    with pytest.raises(DomainError):
        documents.stored_path(document)
    assert documents.sniff(b"\x89PNG\r\n\x1a\n....") is not None
    assert documents.sniff(b"\x89PNG\r\n") is None


# --- Seed -----------------------------------------------------------------------------------------


def test_seed_referrals_spreads_statuses_and_serves_the_demo_provider(world: World) -> None:
    from teilhabe.seeding.builders import Seeder
    from teilhabe.seeding.casework_referrals import seed_referrals

    tenant = world.tenant
    traeger = make_user("traeger")
    Membership.objects.create(tenant=tenant, user=traeger, role="provider")
    first = make_provider(tenant, "Erster Träger", staff=[traeger])
    second = make_provider(tenant, "Zweiter Träger")
    for i in range(6):
        make_offer(tenant, first if i % 2 else second, key=f"o{i}", title=f"Angebot {i}")
    for i in range(40):
        participant = make_participant(tenant, f"Person{i}", "Muster")
        make_case(participant, world.users["case_worker"])
    seed_referrals(Seeder(7), tenant)
    referrals = Referral.objects.filter(tenant=tenant)
    assert referrals.count() >= 60
    statuses = set(referrals.values_list("status", flat=True))
    assert {"vorgeschlagen", "gesendet", "angenommen", "abgeschlossen", "abgelehnt"} <= statuses
    for referral in referrals.prefetch_related("events"):
        chain = [e.status for e in referral.events.all()]
        assert chain[0] == "vorgeschlagen" and chain[-1] == referral.status
        for old, new in itertools.pairwise(chain):
            assert new in REFERRAL_TRANSITIONS[old], chain
        if referral.status in REFERRAL_REASON_NEEDED:
            assert referral.reason
    # every sent referral has the sharing consent; the demo provider sees some
    visible = sel.provider_referral_list_for(actor=traeger, tenant=tenant)
    assert visible.count() >= 5
    assert sel.sharing_consent_pairs(list(visible)) == {
        (r.case.participant_id, r.offer.provider_id) for r in visible
    }
    assert EducationEpisode.objects.filter(referral__status="abgeschlossen").count() == (
        referrals.filter(status="abgeschlossen").count()
    )
    # volunteers: the volunteer persona gets a record, assignments with consent and meetings
    profile = VolunteerProfile.objects.get(tenant=tenant, user=world.users["volunteer"])
    assignments = VolunteerAssignment.objects.filter(tenant=tenant, volunteer=profile.user)
    assert (
        assignments.exists()
        and VolunteerMeeting.objects.filter(assignment__in=assignments).exists()
    )
    for a in assignments:
        assert a.participant.consents.filter(purpose="volunteer").exists()
    count = referrals.count()
    seed_referrals(Seeder(7), tenant)  # idempotent
    assert Referral.objects.filter(tenant=tenant).count() == count

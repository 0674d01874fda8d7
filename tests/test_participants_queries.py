"""The number of queries of the case worker's busiest pages does not depend on the data.

Each test renders the page with N records, then with 3N (of every kind the page shows), and
asserts exactly the same number of queries: caseload dashboard, participant list, name search
and participant detail.  (Timings are measured by ``make bench``, not here.)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teilhabe.participants.models import (
    Contact,
    Document,
    EducationEpisode,
    Goal,
    Notice,
    Participant,
    Referral,
    VolunteerAssignment,
)
from tests.casework_factories import (
    make_benefit,
    make_case,
    make_consent,
    make_participant,
    make_status,
)
from tests.conftest import World, login
from tests.factories import make_offer, make_provider
from tests.test_participants_cases import _category, _full_caseload

TODAY = timezone.localdate()
N = 8


def _url(name: str, world: World, *args: Any) -> str:
    return reverse(f"participants:{name}", args=[world.tenant.public_id, *args])


def _count(client: Client, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, data)  # warm up: session, second factor, caches of the first request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _people(world: World, prefix: str, n: int) -> list[Participant]:
    """Participants of the case worker, each with an open and a closed case, statuses,
    benefits and consents (what the list and search rows show)."""
    worker = world.users["case_worker"]
    people = []
    for i in range(n):
        p = make_participant(
            world.tenant, f"{prefix}{i}", "Kaya", date(2002, 1, 1 + i % 28), case_worker=worker
        )
        make_case(p, worker, status="abgeschlossen", closed_on=TODAY - timedelta(days=30))
        make_status(p, valid_from=date(2024, 1, 1))
        make_benefit(p, valid_from=date(2024, 1, 1))
        people.append(p)
    return people


def test_caseload_queries_are_the_same_for_n_and_3n_cases(world: World) -> None:
    client = login(Client(), world.users["case_worker"])
    url = _url("caseload", world)
    _full_caseload(world, "A", N)
    small, _ = _count(client, url)
    _full_caseload(world, "B", 2 * N)
    large, html = _count(client, url)
    assert "PersonB15" in html
    assert large == small


def test_participant_list_queries_are_the_same_for_n_and_3n_people(world: World) -> None:
    client = login(Client(), world.users["case_worker"])
    url = _url("participant_list", world)
    _people(world, "A", N)
    small, _ = _count(client, url)
    _people(world, "B", 2 * N)
    large, html = _count(client, url)
    assert "B15" in html  # all 24 on the first page
    assert large == small


def test_name_search_queries_are_the_same_for_n_and_3n_hits(world: World) -> None:
    client = login(Client(), world.users["case_worker"])
    url = _url("participant_list", world)
    _people(world, "A", N)
    small, _ = _count(client, url, {"q": "kaya"})
    _people(world, "B", 2 * N)
    large, html = _count(client, url, {"q": "kaya"})
    assert "Kaya" in html
    assert large == small
    # a transliteration search (name key) as well
    small_key, _ = _count(client, url, {"q": "Kaja"})
    _people(world, "C", 3 * N)
    large_key, _ = _count(client, url, {"q": "Kaja"})
    assert large_key == small_key


def _fill_record(world: World, person: Participant, n: int, tag: str) -> None:
    """n more of everything the detail page shows: cases (with contacts, goals, referrals,
    outcomes), statuses, benefits, consents, episodes, documents, notices, volunteers."""
    worker = world.users["case_worker"]
    provider = make_provider(world.tenant, f"Träger {tag}")
    offer = make_offer(world.tenant, provider, key=f"o-{tag}")
    start = date(2005 if tag == "a" else 2010, 1, 1)
    for i in range(n):
        case = make_case(person, worker, status="abgeschlossen", closed_on=TODAY)
        Contact.objects.create(
            tenant=world.tenant,
            case=case,
            happened_on=TODAY,
            minutes=30,
            kind="telefonisch",
            topic=f"Kontakt {tag}{i}",
            staff=worker,
        )
        Goal.objects.create(
            tenant=world.tenant, case=case, category=_category("sprache"), text=f"Ziel {tag}{i}"
        )
        Referral.objects.create(tenant=world.tenant, case=case, offer=offer)
        make_consent(person, "evaluation", recorded_by=worker)
        EducationEpisode.objects.create(
            tenant=world.tenant,
            participant=person,
            kind="kurs",
            title=f"Kurs {tag}{i}",
            started_on=TODAY - timedelta(days=100 + i),
        )
        Document.objects.create(
            tenant=world.tenant,
            participant=person,
            title=f"Dokument {tag}{i}",
            content_type="application/pdf",
            size=10,
            storage_name=f"documents/x/{tag}{i}",
            sha256="0" * 64,
            uploaded_by=worker,
        )
        Notice.objects.create(
            tenant=world.tenant, user=worker, participant=person, kind="x", text=f"{tag}{i}"
        )
        VolunteerAssignment.objects.create(
            tenant=world.tenant,
            participant=person,
            volunteer=world.users["volunteer"],
            started_on=TODAY - timedelta(days=10),
            ended_on=TODAY - timedelta(days=1),
        )
    # dated histories one after the other: statuses and benefits
    for i in range(n):
        day = start + timedelta(days=40 * i)
        make_status(person, valid_from=day, valid_until=day + timedelta(days=20))
        make_benefit(person, valid_from=day, valid_until=day + timedelta(days=20))


def test_participant_detail_queries_are_the_same_for_n_and_3n_entries(world: World) -> None:
    worker = world.users["case_worker"]
    client = login(Client(), worker)
    person = make_participant(world.tenant, "Leyla", "Amini", case_worker=worker)
    url = _url("participant_detail", world, person.public_id)
    _fill_record(world, person, N, "a")
    small, _ = _count(client, url)
    _fill_record(world, person, 2 * N, "bb")
    large, html = _count(client, url)
    assert "Leyla Amini" in html
    assert large == small

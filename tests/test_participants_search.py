"""Name search of the participant list on SQLite and PostgreSQL; on PostgreSQL the
``icontains``/``contains`` filters are served by trigram (GIN) indexes (migration 0002)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from teilhabe.participants.models import Participant
from teilhabe.participants.phonetics import name_key
from teilhabe.participants.selectors import participant_list_for
from tests.casework_factories import make_participant
from tests.conftest import World, login

TRIGRAM_INDEXES = {
    "participant_first_trgm",
    "participant_last_trgm",
    "participant_translit_trgm",
    "participant_namekey_trgm",
}


@pytest.fixture
def people(world: World) -> dict[str, Participant]:
    worker = world.users["case_worker"]
    return {
        "mohammed": make_participant(
            world.tenant, "Mohammed", "Al-Hassan", date(2002, 3, 1), case_worker=worker
        ),
        "yohannes": make_participant(
            world.tenant,
            "Yohannes",
            "Gebremedhin",
            date(2001, 7, 9),
            case_worker=worker,
            name_transliteration="Johannes Gebre Medhin",
        ),
        "zainab": make_participant(
            world.tenant, "Zainab", "Rahimi", date(2004, 1, 20), case_worker=worker
        ),
        # not the worker's: never found
        "other": make_participant(world.tenant, "Mohammad", "Hassani", date(2000, 1, 1)),
    }


def _search(world: World, query: str) -> set[str]:
    found = participant_list_for(actor=world.users["case_worker"], tenant=world.tenant, query=query)
    return {p.last_name for p in found}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hassan", {"Al-Hassan"}),  # part of the name, any case
        ("MEDHIN", {"Gebremedhin"}),
        ("johannes", {"Gebremedhin"}),  # the name as in the documents
        ("Muhammad", {"Al-Hassan"}),  # transliteration variant through the name key
        ("mohammed al-has", {"Al-Hassan"}),  # every word must match
        ("ainab", {"Rahimi"}),
        ("Schmidt", set()),
    ],
)
def test_name_search_finds_parts_variants_and_only_own_people(
    world: World, people: dict[str, Participant], query: str, expected: set[str]
) -> None:
    assert _search(world, query) == expected


def test_name_search_on_the_list_page(world: World, people: dict[str, Participant]) -> None:
    client = login(Client(), world.users["case_worker"])
    page = client.get(
        reverse("participants:participant_list", args=[world.tenant.public_id]), {"q": "hass"}
    ).content.decode()
    assert "Al-Hassan" in page and "Rahimi" not in page and "Hassani" not in page


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)


@postgres_only
def test_trigram_indexes_exist_on_postgresql(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
            "'participants_participant'"
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) >= TRIGRAM_INDEXES
    assert all("gin_trgm_ops" in indexes[name] for name in TRIGRAM_INDEXES)


@postgres_only
def test_the_search_filter_uses_the_trigram_indexes(
    world: World, people: dict[str, Participant]
) -> None:
    """The filter the selector builds (every word over names and transliteration, or the
    name key) is answered from the GIN indexes, not by reading the table."""
    word = "hassan"
    text = (
        Q(first_name__icontains=word)
        | Q(last_name__icontains=word)
        | Q(name_transliteration__icontains=word)
        | Q(name_key__contains=name_key(word, ""))
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # no full B-tree walks either
    plan: Any = Participant.objects.filter(text).explain()
    used = {name for name in TRIGRAM_INDEXES if name in plan}
    assert used == TRIGRAM_INDEXES, plan
    assert _search(world, word) == {"Al-Hassan"}

"""``selectors.prepared_rows``: the ORM's SQL built once, run again with other ids — the same
rows (with the ORM's conversions) as the queryset itself, on SQLite and PostgreSQL; and the
detail page's sections and eligibility read through it agree with the model reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from teilhabe.participants import facts, selectors_people
from teilhabe.participants.models import Case, Notice, Participant
from teilhabe.participants.selectors import prepared_rows
from teilhabe.territory.models import gemeinden_in
from tests.casework_factories import make_benefit, make_case, make_participant, make_status
from tests.conftest import World

TODAY = timezone.localdate()


def _cases(pid: int, tid: int) -> Any:
    return (
        Case.objects.filter(tenant_id=tid, participant_id=pid)
        .order_by("-intake_date", "-pk")
        .values("public_id", "module", "intake_date", "created_at", "responsible__username")
    )


def _people(world: World) -> list[Participant]:
    worker = world.users["case_worker"]
    people = []
    for i in range(2):
        p = make_participant(world.tenant, f"Person{i}", "Kaya", case_worker=worker)
        make_case(p, worker, module="f2", intake_date=date(2025, 3, 1 + i))
        make_status(p, valid_from=date(2024, 1, 1))
        make_benefit(p, valid_from=date(2024, 1, 1))
        Notice.objects.create(
            tenant=world.tenant, user=worker, participant=p, kind="x", text=f"Hinweis {i}"
        )
        people.append(p)
    return people


def test_prepared_rows_equal_the_querysets_rows(world: World) -> None:
    for p in _people(world):
        expected = list(_cases(p.pk, p.tenant_id))
        got = prepared_rows("test.cases", _cases, p.pk, p.tenant_id)
        assert got == expected and len(got) == 2
        assert got[0].public_id == expected[0]["public_id"]  # attribute access as well
        assert timezone.is_aware(got[0]["created_at"])  # the ORM's converters ran


def test_prepared_rows_refuse_queries_without_their_placeholders() -> None:
    with pytest.raises(ValueError):
        prepared_rows("test.no-placeholder", lambda pid: Case.objects.values("pk"), 1)


def test_prepared_rows_refuse_a_date_that_would_be_frozen(db: None) -> None:
    """A query with today's date would keep the first call's date for the whole process."""
    today = timezone.localdate()
    with pytest.raises(ValueError, match="no dates"):
        prepared_rows(
            "test.with-date",
            lambda pid: Case.objects.filter(pk=pid, intake_date__lte=today).values("pk"),
            1,
        )


def test_sections_and_eligibility_agree_with_the_model_reads(world: World) -> None:
    for p in _people(world):
        sections = selectors_people.participant_sections(p)
        cases = list(Case.objects.filter(participant=p).order_by("-intake_date", "-pk"))
        assert [c["public_id"] for c in sections["cases"]] == [c.public_id for c in cases]
        assert [c["module_label"] for c in sections["cases"]] == [
            c.get_module_display() for c in cases
        ]
        assert sections["current_status"]["public_id"] == p.statuses.get().public_id
        assert [n["text"] for n in sections["notices"]] == [n.text for n in p.notices.all()]
        assert sections["case_work_consent"] is True
        from_rows = facts.participant_facts(
            p, TODAY, statuses=sections["statuses"], benefits=sections["benefits"]
        )
        assert from_rows == facts.participant_facts(p, TODAY)
        assert facts.area_context(p)["area_ags"] == [
            g.ags for g in gemeinden_in(world.tenant.territory)
        ]


def test_assigned_id_sets_equal_the_policys_querysets(world: World) -> None:
    """The policy's "whose record may this person open" sets, read with prepared queries,
    are exactly the ids of the querysets the lists use: responsible, team member, other
    tenant, and volunteer assignments that are open, end in the future or have ended."""
    from teilhabe.participants.models import VolunteerAssignment
    from teilhabe.participants.selectors import (
        assigned_id_sets,
        case_worker_participant_ids,
        volunteer_participant_ids,
    )

    worker, volunteer = world.users["case_worker"], world.users["volunteer"]
    colleague = world.users["coordination"]
    own = make_participant(world.tenant, "Eigen", "Fall", case_worker=worker)
    team = make_participant(world.tenant, "Team", "Fall")
    make_case(team, colleague).team.add(worker)
    make_participant(world.tenant, "Fremd", "Fall", case_worker=colleague)
    elsewhere = make_participant(world.other_tenant, "Anderer", "Mandant")
    make_case(elsewhere, worker)
    for first, ended in (("Offen", None), ("Bald", date(2099, 1, 1)), ("Vorbei", date(2020, 1, 1))):
        p = make_participant(world.tenant, first, "Pate")
        VolunteerAssignment.objects.create(
            tenant=world.tenant,
            volunteer=volunteer,
            participant=p,
            started_on=date(2019, 1, 1),
            ended_on=ended,
        )
    tid = world.tenant.pk
    for user in (worker, volunteer, colleague):
        sets = assigned_id_sets(user, tid)
        assert sets["case"] == frozenset(case_worker_participant_ids(user, tid))
        assert sets["volunteer"] == frozenset(volunteer_participant_ids(user, tid))
    assert assigned_id_sets(worker, tid)["case"] == {own.pk, team.pk}
    names = Participant.objects.filter(pk__in=assigned_id_sets(volunteer, tid)["volunteer"])
    assert sorted(p.first_name for p in names) == ["Bald", "Offen"]


def test_participant_load_equals_the_orm_read_with_its_gemeinde(world: World) -> None:
    """Every field (dates, JSON lists, flags, UUIDs) and the Gemeinde are what
    ``select_related("gemeinde")`` gives; another tenant's or an unknown id: None."""
    import uuid

    from teilhabe.participants.selectors import participant_load

    gemeinde = gemeinden_in(world.tenant.territory)[0]
    with_place = make_participant(
        world.tenant,
        "Amina",
        "Haddad",
        gemeinde=gemeinde,
        nationalities=["SY", "IQ"],
        languages=["ar", "de"],
    )
    without = make_participant(world.tenant, "Omid", "Rahimi")
    for person in (with_place, without):
        expected = Participant.objects.select_related("gemeinde").get(pk=person.pk)
        loaded = participant_load(world.tenant, person.public_id)
        assert loaded is not None
        for field in Participant._meta.concrete_fields:
            assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
        assert loaded.tenant is world.tenant
        assert loaded.gemeinde == expected.gemeinde
        assert loaded._state.adding is False and loaded._state.db == "default"
        # the Gemeinde came with the row: reading it costs no query
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            name = loaded.gemeinde.name if loaded.gemeinde else None
        assert queries.captured_queries == []
        assert name == (gemeinde.name if person is with_place else None)
    assert participant_load(world.tenant, str(with_place.public_id)).pk == with_place.pk
    assert participant_load(world.other_tenant, with_place.public_id) is None
    assert participant_load(world.tenant, uuid.uuid4()) is None
    assert participant_load(world.tenant, "kein-uuid") is None

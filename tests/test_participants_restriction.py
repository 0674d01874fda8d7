"""Art. 18 GDPR: a restricted record is read-only for every writer of the case work.

Every service that writes to a participant or to its cases, plan, contacts, referrals,
documents, consents, status and benefit entries, education history, outcomes or volunteer
support is tried on a restricted record: it refuses with the German message of
``participant_ensure_writable`` and nothing is written (every row of the case-work tables,
the offers' counters, the audit log and the private file storage are compared).  After the
restriction is lifted the very same call goes through — so the restriction, not some other
rule, was what stopped it.

The writes that only reduce processing stay possible on a restricted record (withdrawing a
consent, withdrawing a referral, ending a volunteer assignment, marking a notice read,
lifting the restriction, anonymising); the last test shows that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from teilhabe.accounts.models import Membership, User
from teilhabe.accounts.roles import Role
from teilhabe.audit.models import AuditEvent
from teilhabe.core.errors import DomainError
from teilhabe.offers.models import Category, Offer
from teilhabe.participants import documents
from teilhabe.participants import services_cases as cases
from teilhabe.participants import services_people as people
from teilhabe.participants import services_referrals as referrals
from teilhabe.participants.models import (
    BenefitEntry,
    Case,
    Consent,
    Document,
    EducationEpisode,
    Goal,
    Notice,
    Participant,
    Referral,
    ResidenceStatusEntry,
    VolunteerAssignment,
    VolunteerProfile,
)
from tests.casework_referrals_factories import (
    ReferralWorld,
    add_benefit,
    add_status,
    assign_volunteer,
    give_consent,
    make_case,
    make_participant,
    make_referral,
    make_volunteer_profile,
    png_bytes,
    referral_world,
)
from tests.conftest import World, make_user
from tests.factories import make_offer

TODAY = timezone.localdate()
RESTRICTED = (
    "Die Verarbeitung der Daten dieser Person ist eingeschränkt (Art. 18 DSGVO): Der "
    "Datensatz ist schreibgeschützt, bis die Einschränkung aufgehoben wird."
)


@dataclass
class Rich:
    """One participant with something of everything, and the people who work with it."""

    rw: ReferralWorld
    media: Path
    colleague: User  # a second case worker, already in the team
    newcomer: User  # a third case worker, not yet in the team
    volunteer: User  # assigned (meetings)
    volunteer2: User  # has a profile, not yet assigned
    twin: Participant  # a duplicate record (merge)
    closed_case: Case  # closed seven months ago (follow-up due)
    status: ResidenceStatusEntry
    benefit: BenefitEntry
    goal: Goal
    episode: EducationEpisode
    suggested: Referral
    sent: Referral
    completed: Referral
    assignment: VolunteerAssignment
    document: Document
    new_offer: Offer

    @property
    def worker(self) -> User:
        return self.rw.case_worker

    # Fresh objects from the database: a writer must see the restriction as stored.
    def p(self) -> Participant:
        return Participant.objects.get(pk=self.rw.participant.pk)

    def case(self) -> Case:
        return Case.objects.get(pk=self.rw.case.pk)

    def fresh(self, obj: Any) -> Any:
        return type(obj).objects.get(pk=obj.pk)


def _case_worker(world: World, username: str) -> User:
    user = make_user(username, first_name="Weitere", last_name="Fachkraft")
    Membership.objects.create(tenant=world.tenant, user=user, role=Role.CASE_WORKER)
    return user


@pytest.fixture
def rich(world: World, settings: Any, tmp_path: Path) -> Rich:
    settings.MEDIA_ROOT = tmp_path / "private"
    rw = referral_world(world)
    worker = rw.case_worker
    person = rw.participant
    colleague = _case_worker(world, "coach.team")
    newcomer = _case_worker(world, "coach.neu")
    rw.case.team.add(colleague)
    status = add_status(person, valid_until=TODAY - timedelta(days=10))
    benefit = add_benefit(person, valid_until=TODAY - timedelta(days=10))
    goal = Goal.objects.create(
        tenant=world.tenant,
        case=rw.case,
        category=Category.objects.get(code="ausbildung"),
        text="Ausbildungsplatz finden",
        target_date=TODAY + timedelta(days=90),
    )
    episode = EducationEpisode.objects.create(
        tenant=world.tenant,
        participant=person,
        kind="schule",
        title="Internationale Förderklasse",
        started_on=TODAY - timedelta(days=400),
        ended_on=TODAY - timedelta(days=100),
    )
    suggested = make_referral(rw.case, make_offer(world.tenant, rw.provider, key="a"), worker)
    sent = make_referral(
        rw.case,
        make_offer(world.tenant, rw.provider, key="b"),
        worker,
        status="gesendet",
        sent_on=TODAY - timedelta(days=3),
        answer_due=TODAY + timedelta(days=11),
        released_fields=["name"],
    )
    completed = make_referral(
        rw.case,
        make_offer(world.tenant, rw.provider, key="c"),
        worker,
        status="abgeschlossen",
        sent_on=TODAY - timedelta(days=60),
    )
    give_consent(person, "volunteer", worker)
    volunteer = world.users["volunteer"]
    make_volunteer_profile(world.tenant, volunteer)
    assignment = assign_volunteer(person, volunteer)
    volunteer2 = make_user("ehrenamt.zwei")
    Membership.objects.create(tenant=world.tenant, user=volunteer2, role=Role.VOLUNTEER)
    make_volunteer_profile(world.tenant, volunteer2)
    twin = make_participant(world.tenant, "Amir", "Hadad", person.birth_date)
    make_case(twin, worker)
    closed_case = make_case(
        person,
        worker,
        status="abgeschlossen",
        intake_date=TODAY - timedelta(days=500),
        closed_on=TODAY - timedelta(days=190),
        closing_reason="Ausbildung begonnen",
    )
    document = documents.document_upload(
        actor=worker,
        participant=person,
        upload=SimpleUploadedFile("scan.png", png_bytes()),
        title="Zeugnis",
    )
    return Rich(
        rw=rw,
        media=Path(settings.MEDIA_ROOT),
        colleague=colleague,
        newcomer=newcomer,
        volunteer=volunteer,
        volunteer2=volunteer2,
        twin=twin,
        closed_case=closed_case,
        status=status,
        benefit=benefit,
        goal=goal,
        episode=episode,
        suggested=suggested,
        sent=sent,
        completed=completed,
        assignment=assignment,
        document=document,
        new_offer=make_offer(world.tenant, rw.provider, key="neu"),
    )


def _profile(r: Rich, user: User) -> VolunteerProfile:
    return VolunteerProfile.objects.get(tenant=r.rw.world.tenant, user=user)


# Every writer of the case work, called as a page would call it (fresh objects).
WRITERS: dict[str, Callable[[Rich], Any]] = {
    # people
    "participant_update": lambda r: people.participant_update(
        actor=r.worker, participant=r.p(), data={"phone": "0521 999999"}, version=None
    ),
    "status_add": lambda r: people.status_add(
        actor=r.worker,
        participant=r.p(),
        data={"kind": "duldung", "paragraph": "", "valid_from": TODAY - timedelta(days=5)},
    ),
    "status_update": lambda r: people.status_update(
        actor=r.worker,
        participant=r.p(),
        entry=r.fresh(r.status),
        data={"issuing_office": "Ausländerbehörde Bielefeld"},
    ),
    "status_end": lambda r: people.status_end(
        actor=r.worker,
        participant=r.p(),
        entry=r.fresh(r.status),
        until=TODAY - timedelta(days=20),
    ),
    "benefit_add": lambda r: people.benefit_add(
        actor=r.worker,
        participant=r.p(),
        data={"kind": "sgb2", "valid_from": TODAY - timedelta(days=5)},
    ),
    "benefit_update": lambda r: people.benefit_update(
        actor=r.worker, participant=r.p(), entry=r.fresh(r.benefit), data={"kind": "sgb12"}
    ),
    "benefit_end": lambda r: people.benefit_end(
        actor=r.worker,
        participant=r.p(),
        entry=r.fresh(r.benefit),
        until=TODAY - timedelta(days=20),
    ),
    "consent_record": lambda r: people.consent_record(
        actor=r.worker,
        participant=r.p(),
        data={"purpose": "evaluation", "given_on": TODAY, "form": "paper", "language": "de"},
    ),
    "participant_merge": lambda r: people.participant_merge(
        actor=r.worker, keep=r.p(), other=r.fresh(r.twin)
    ),
    "transfer_create": lambda r: people.transfer_create(
        actor=r.worker,
        participant=r.p(),
        to_tenant=r.rw.world.other_tenant,
        sections=[],
        confirmed=True,
    ),
    # cases
    "case_update": lambda r: cases.case_update(
        actor=r.worker, case=r.case(), data={"programme": "Gemeinsam klappt's"}, version=None
    ),
    "case_set_status": lambda r: cases.case_set_status(
        actor=r.worker, case=r.case(), status="ruhend", version=None
    ),
    "case_team_add": lambda r: cases.case_team_add(actor=r.worker, case=r.case(), user=r.newcomer),
    "case_team_remove": lambda r: cases.case_team_remove(
        actor=r.worker, case=r.case(), user=r.colleague
    ),
    "goal_create": lambda r: cases.goal_create(
        actor=r.worker,
        case=r.case(),
        data={
            "category": Category.objects.get(code="sprache"),
            "text": "B1-Prüfung bestehen",
            "target_date": TODAY + timedelta(days=60),
            "status": "offen",
            "urgency": 2,
            "agreed_with_participant": True,
        },
    ),
    "goal_update": lambda r: cases.goal_update(
        actor=r.worker, case=r.case(), goal=r.fresh(r.goal), data={"status": "in_arbeit"}
    ),
    "goal_review_add": lambda r: cases.goal_review_add(
        actor=r.worker,
        case=r.case(),
        goal=r.fresh(r.goal),
        reviewed_on=TODAY,
        note="Bewerbungen laufen",
        status_after="in_arbeit",
    ),
    "contact_create": lambda r: cases.contact_create(
        actor=r.worker,
        case=r.case(),
        data={
            "happened_on": TODAY,
            "minutes": 45,
            "kind": "persoenlich",
            "topic": "Bewerbung",
            "proof": "teilnehmende",
        },
    ),
    "episode_create": lambda r: cases.episode_create(
        actor=r.worker,
        case=r.case(),
        data={"kind": "kurs", "title": "Integrationskurs", "started_on": TODAY},
    ),
    "episode_update": lambda r: cases.episode_update(
        actor=r.worker, case=r.case(), episode=r.fresh(r.episode), data={"result": "Abschluss"}
    ),
    "episode_from_referral": lambda r: cases.episode_from_referral(
        r.fresh(r.completed), actor=r.worker
    ),
    "outcome_record": lambda r: cases.outcome_record(
        actor=r.worker,
        case=r.fresh(r.closed_case),
        moment="m6",
        kind="ausbildung",
        recorded_on=TODAY,
    ),
    # referrals, volunteers, documents
    "referral_create": lambda r: referrals.referral_create(
        actor=r.worker, case=r.case(), offer=r.new_offer
    ),
    "referral_send": lambda r: referrals.referral_send(
        actor=r.worker, referral=r.fresh(r.suggested), released_fields=["name"]
    ),
    "referral_answer": lambda r: referrals.referral_answer(
        actor=r.rw.world.users["provider"], referral=r.fresh(r.sent), status="angenommen"
    ),
    "volunteer_assign": lambda r: referrals.volunteer_assign(
        actor=r.worker, profile=_profile(r, r.volunteer2), participant=r.p()
    ),
    "volunteer_meeting_log": lambda r: referrals.volunteer_meeting_log(
        actor=r.volunteer, assignment=r.fresh(r.assignment), happened_on=TODAY, minutes=60
    ),
    "document_upload": lambda r: documents.document_upload(
        actor=r.worker,
        participant=r.p(),
        upload=SimpleUploadedFile("b.png", png_bytes()),
        title="Bescheinigung",
    ),
    "document_delete": lambda r: documents.document_delete(
        actor=r.worker, document=r.fresh(r.document)
    ),
}


def _snapshot(r: Rich) -> dict[str, Any]:
    """Every row of the case-work tables and the offers (counters), the number of audit
    events and the stored files."""
    state: dict[str, Any] = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("participants").get_models()
    }
    state["offers"] = list(Offer.objects.order_by("pk").values())
    state["case_team"] = sorted(Case.team.through.objects.values_list("case_id", "user_id"))
    state["audit"] = AuditEvent.objects.count()
    state["files"] = sorted(p.name for p in r.media.rglob("*") if p.is_file())
    return state


def _restrict(r: Rich, on: bool) -> None:
    people.participant_restrict(
        actor=r.worker, participant=r.p(), restricted=on, reason="Antrag nach Art. 18"
    )


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_refuses_a_restricted_record_and_writes_nothing(
    rich: Rich, writer: str
) -> None:
    write = WRITERS[writer]
    _restrict(rich, True)
    before = _snapshot(rich)
    with translation.override("de"), pytest.raises(DomainError) as refused:
        write(rich)
    assert str(refused.value) == RESTRICTED
    assert _snapshot(rich) == before
    # lifted, the same call goes through: the restriction was the only obstacle
    _restrict(rich, False)
    lifted = _snapshot(rich)
    write(rich)
    assert _snapshot(rich) != lifted


def test_the_writer_table_covers_every_public_writer() -> None:
    """A new public write service in the case work must be added above (or to the list of
    writes that only reduce processing)."""
    reducing = {
        "consent_withdraw",
        "referral_withdraw",
        "volunteer_assignment_end",
        "participant_restrict",
        "participant_anonymise",
        "notice_mark_read",
    }
    # writes that create a new record or act on many (each checks every record it touches)
    other = {
        "participant_register",
        "transfer_accept",
        "retention_apply",
        "eligibility_recheck_expired",
        "volunteer_profile_save",
    }
    import inspect

    found = set()
    for module in (people, cases, referrals, documents):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            source = inspect.getsource(fn)
            if ".save(" in source or ".create(" in source or "_history_write(" in source:
                found.add(name)
            if ".delete(" in source or "bulk_create" in source:
                found.add(name)
    assert found - set(WRITERS) - reducing - other == set()


def test_writes_that_only_reduce_processing_stay_possible(rich: Rich) -> None:
    _restrict(rich, True)
    share = Consent.objects.get(participant=rich.rw.participant, purpose="share_provider")
    people.consent_withdraw(actor=rich.worker, consent=share)
    assert Consent.objects.get(pk=share.pk).withdrawn_on == TODAY
    referrals.referral_withdraw(actor=rich.worker, referral=rich.fresh(rich.suggested))
    assert rich.fresh(rich.suggested).status == "zurueckgezogen"
    referrals.volunteer_assignment_end(actor=rich.worker, assignment=rich.fresh(rich.assignment))
    assert rich.fresh(rich.assignment).ended_on == TODAY - timedelta(days=1)
    notice = Notice.objects.create(
        tenant=rich.rw.world.tenant,
        user=rich.worker,
        participant=rich.rw.participant,
        kind="eligibility",
        text="Hinweis",
    )
    cases.notice_mark_read(actor=rich.worker, notice=notice)
    assert Notice.objects.get(pk=notice.pk).read_at is not None
    assert rich.p().restricted

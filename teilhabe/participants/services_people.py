"""Writes of the people area: registration with duplicate detection, merge, edits with a
version check, residence-status and benefit histories with the eligibility re-check,
consents, the data-protection rights (restriction, anonymisation, retention) and transfers
to another tenant.

Every function: keyword-only, the acting user first; policy check, validation, write,
``audit_record`` — in one transaction.  Everything is audited against the participant, so
that the participant's history shows every change of the record and its histories.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record, changed_fields
from teilhabe.core.errors import ConflictError, DomainError
from teilhabe.eligibility import load_residence_status_catalogue
from teilhabe.territory.models import gemeinden_in

from .consent import consent_require
from .facts import Snapshot, eligibility_snapshot, funding_targets, referral_targets
from .facts import area_context as _area_context
from .models import (
    BenefitEntry,
    Case,
    CaseStatus,
    Consent,
    ConsentForm,
    ConsentPurpose,
    Contact,
    Document,
    EducationEpisode,
    Goal,
    GoalReview,
    Notice,
    Outcome,
    OutcomeKind,
    Participant,
    Referral,
    ReferralEvent,
    ResidenceStatusEntry,
    Sex,
    Transfer,
    VolunteerAssignment,
    VolunteerMeeting,
)
from .phonetics import name_key

# Fields of the participant's record that the edit form changes.
PERSON_FIELDS = [
    "first_name",
    "last_name",
    "name_transliteration",
    "birth_date",
    "sex",
    "nationalities",
    "languages",
    "phone",
    "email",
    "street",
    "postcode",
    "gemeinde",
    "interpreter_needed",
    "interpreter_language",
    "children",
    "childcare_needed",
    "entry_date",
    "first_asylum_request",
]
FURTHER_FIELDS = [
    "asylum_decision",
    "work_permission",
    "integration_course_access",
    "lives_in_state_facility",
    "security_exclusion",
    "school_years",
    "certificates",
    "german_reading",
    "german_writing",
    "german_listening",
    "german_speaking",
    "other_languages",
    "work_experience",
    "interests",
]
PARTICIPANT_FIELDS = PERSON_FIELDS + FURTHER_FIELDS
# Fields the eligibility engine looks at: a change triggers the re-check.
ELIGIBILITY_FIELDS = {
    "birth_date",
    "sex",
    "nationalities",
    "gemeinde",
    "entry_date",
    "first_asylum_request",
    "asylum_decision",
    "work_permission",
    "integration_course_access",
    "lives_in_state_facility",
    "security_exclusion",
    "german_reading",
    "german_writing",
    "german_listening",
    "german_speaking",
}
STATUS_FIELDS = [
    "kind",
    "paragraph",
    "valid_from",
    "valid_until",
    "issuing_office",
    "work_permitted",
    "residence_obligation",
    "conditions",
]
BENEFIT_FIELDS = ["kind", "valid_from", "valid_until"]
BENEFIT_KINDS = ("asylblg", "sgb2", "sgb12", "none")
CASE_MODULES = ("f1", "f6", "kim", "other")
CONSENT_LANGUAGES = ("de", "en", "ar", "fa", "uk", "tr", "ru", "fr", "ti", "ku", "ps", "so")
MIN_AGE, MAX_AGE = 14, 40

# What a transfer hands over besides the core data and the residence-status history.
TRANSFER_CORE = [
    "first_name",
    "last_name",
    "name_transliteration",
    "birth_date",
    "sex",
    "nationalities",
    "languages",
    "entry_date",
    "first_asylum_request",
    "asylum_decision",
    "work_permission",
]
TRANSFER_SECTIONS: dict[str, list[str]] = {
    "contact": ["phone", "email"],
    "family": ["interpreter_needed", "interpreter_language", "children", "childcare_needed"],
    "benefits": [],
    "education": [
        "school_years",
        "certificates",
        "german_reading",
        "german_writing",
        "german_listening",
        "german_speaking",
        "other_languages",
        "work_experience",
        "interests",
    ],
}

PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ANONYMISED = "Anonymisiert"

# ISO 3166-1 alpha-2 (and XK for Kosovo, in use by German authorities).
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW XK
"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())


class ValidationFailed(DomainError):
    """Input the domain rules refuse; ``errors`` maps field names to German messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass(frozen=True)
class DuplicateCandidate:
    """A possible duplicate: only what a case worker may see of a stranger's record."""

    participant: Participant
    first_name: str
    last_name: str
    birth_year: int
    reason: str


class DuplicateFound(DomainError):
    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        self.candidates = candidates
        super().__init__(
            _("There may already be a record of this person. Please check the list below.")
        )


# --- helpers -----------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def new_pseudonym() -> str:
    """Ten random characters (never derived from the name), unique across the platform."""
    while True:
        value = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(10))
        if not Participant.objects.filter(pseudonym=value).exists():
            return value


def participant_name_key(first_name: str, last_name: str) -> str:
    return name_key(first_name, last_name)


def _keys(first: str, last: str, transliteration: str) -> set[str]:
    keys = {name_key(first, last)}
    if transliteration.strip():
        keys.add(name_key(transliteration, ""))
    return {k for k in keys if k}


def participant_ensure_writable(participant: Participant) -> None:
    """Raise if the record may not be changed (restricted, anonymised or merged).  Other
    areas call this before they change anything that belongs to the participant."""
    if participant.anonymised_at is not None:
        raise DomainError(_("This record has been anonymised and can no longer be changed."))
    if participant.merged_into_id is not None:
        raise DomainError(
            _("This record was merged into another one and can no longer be changed.")
        )
    if participant.restricted:
        raise DomainError(
            _(
                "Processing of this person's data is restricted (Art. 18 GDPR): the record is "
                "read-only until the restriction is lifted."
            )
        )


def _lock(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("tenant", "gemeinde")
        .get(pk=participant.pk)
    )


def _open_cases(participant: Participant) -> list[Case]:
    return list(
        Case.objects.filter(tenant_id=participant.tenant_id, participant=participant)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("responsible")
    )


# --- validation --------------------------------------------------------------------------------


def normalise_nationalities(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").replace(" ", ",").split(",")
    return [str(v).strip().upper() for v in value or [] if str(v).strip()]


def participant_validate(
    data: dict[str, Any], *, tenant: Tenant, today: date | None = None
) -> dict[str, str]:
    """Field -> German message for everything the domain refuses."""
    today = today or _today()
    errors: dict[str, str] = {}
    for name in ("first_name", "last_name"):
        if not str(data.get(name) or "").strip():
            errors[name] = _("This field is required.")
    birth = data.get("birth_date")
    if birth is None:
        errors["birth_date"] = _("This field is required.")
    elif birth > today:
        errors["birth_date"] = _("The date of birth lies in the future.")
    else:
        age = _age_on(birth, today)
        if age < MIN_AGE or age > MAX_AGE:
            errors["birth_date"] = _(
                "The date of birth is not plausible: the person would be %(age)s years old "
                "(expected %(min)s to %(max)s)."
            ) % {"age": age, "min": MIN_AGE, "max": MAX_AGE}
    for name, label in (
        ("entry_date", _("The date of entry")),
        ("first_asylum_request", _("The first asylum request")),
    ):
        value = data.get(name)
        if value is None:
            continue
        if value > today:
            errors[name] = _("%(what)s lies in the future.") % {"what": label}
        elif birth is not None and value < birth:
            errors[name] = _("%(what)s lies before the date of birth.") % {"what": label}
    if data.get("sex") not in (None, *Sex.values):
        errors["sex"] = _("Unknown value.")
    for code in data.get("nationalities") or []:
        if code not in ISO_COUNTRIES:
            errors["nationalities"] = _(
                "“%(code)s” is not an ISO country code (two letters, e.g. SY, AF, ER)."
            ) % {"code": code}
            break
    gemeinde = data.get("gemeinde")
    if gemeinde is not None and not gemeinden_in(tenant.territory).filter(pk=gemeinde.pk).exists():
        errors["gemeinde"] = _("%(place)s is not a municipality of %(tenant)s.") % {
            "place": gemeinde,
            "tenant": tenant.name,
        }
    postcode = str(data.get("postcode") or "")
    if postcode and (len(postcode) != 5 or not postcode.isdigit()):
        errors["postcode"] = _("Five digits.")
    children = data.get("children")
    if children is not None and children < 0:
        errors["children"] = _("Unknown value.")
    return errors


def case_validate(case_data: dict[str, Any], *, birth_date: date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if case_data.get("module") not in CASE_MODULES:
        errors["case_module"] = _("Unknown value.")
    intake = case_data.get("intake_date")
    if intake is None:
        errors["case_intake_date"] = _("This field is required.")
    elif intake > _today():
        errors["case_intake_date"] = _("The intake date lies in the future.")
    elif birth_date is not None and intake < birth_date:
        errors["case_intake_date"] = _("The intake date lies before the date of birth.")
    return errors


def consent_validate(
    data: dict[str, Any], *, participant: Participant | None, tenant: Tenant, prefix: str = ""
) -> dict[str, str]:
    errors: dict[str, str] = {}
    purpose = data.get("purpose", ConsentPurpose.CASE_WORK)
    if purpose not in ConsentPurpose.values:
        errors[f"{prefix}purpose"] = _("Unknown value.")
    provider = data.get("provider")
    if purpose == ConsentPurpose.SHARE_PROVIDER:
        if provider is None:
            errors[f"{prefix}provider"] = _("Name the provider the data may be shared with.")
        elif provider.tenant_id != tenant.pk:
            errors[f"{prefix}provider"] = _("Unknown value.")
    elif provider is not None:
        errors[f"{prefix}provider"] = _("A provider is only named for sharing with a provider.")
    given = data.get("given_on")
    if given is None:
        errors[f"{prefix}given_on"] = _("This field is required.")
    elif given > _today():
        errors[f"{prefix}given_on"] = _("The consent cannot be dated in the future.")
    if data.get("form") not in ConsentForm.values:
        errors[f"{prefix}form"] = _("This field is required.")
    elif data["form"] == ConsentForm.VERBAL and not str(data.get("witness") or "").strip():
        errors[f"{prefix}witness"] = _("A verbal consent needs a witness.")
    if data.get("language", "de") not in CONSENT_LANGUAGES:
        errors[f"{prefix}language"] = _("Unknown value.")
    expires = data.get("expires_on")
    if expires is not None and given is not None and expires < given:
        errors[f"{prefix}expires_on"] = _("The expiry lies before the date of the consent.")
    return errors


# --- duplicates --------------------------------------------------------------------------------


def duplicate_candidates(
    *,
    tenant: Tenant,
    first_name: str,
    last_name: str,
    birth_date: date,
    transliteration: str = "",
    exclude: Participant | None = None,
) -> list[DuplicateCandidate]:
    """Records of the tenant with the same birth date and the same name key (order of the
    names and transliteration variants do not matter) or the same last-name key."""
    keys = _keys(first_name, last_name, transliteration)
    last_key = name_key("", last_name)
    # no ORDER BY in SQL: sorting the few rows of one birth date here lets the database use
    # the (tenant, birth date) index instead of walking the tenant's name index
    qs = Participant.objects.filter(
        tenant=tenant, birth_date=birth_date, merged_into__isnull=True, anonymised_at__isnull=True
    ).order_by()
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    found = []
    for p in sorted(qs, key=lambda p: (p.last_name, p.first_name, p.pk)):
        theirs = _keys(p.first_name, p.last_name, p.name_transliteration)
        if keys & theirs:
            reason = _("similar name, same date of birth")
        elif last_key and last_key == name_key("", p.last_name):
            reason = _("similar last name, same date of birth")
        else:
            continue
        found.append(DuplicateCandidate(p, p.first_name, p.last_name, p.birth_date.year, reason))
    return found


# --- registration and edits --------------------------------------------------------------------


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k in PARTICIPANT_FIELDS}
    for name in ("first_name", "last_name", "name_transliteration"):
        if name in clean:
            clean[name] = " ".join(str(clean[name] or "").split())
    if "nationalities" in clean:
        clean["nationalities"] = normalise_nationalities(clean["nationalities"])
    return clean


def _new_case(
    *, tenant: Tenant, participant: Participant, actor: Any, case_data: dict[str, Any]
) -> Case:
    return Case.objects.create(
        tenant=tenant,
        participant=participant,
        responsible=actor,
        programme=str(case_data.get("programme") or "Durchstarten")[:60],
        module=case_data["module"],
        intake_date=case_data["intake_date"],
    )


@transaction.atomic
def participant_register(
    *,
    actor: Any,
    tenant: Tenant,
    data: dict[str, Any],
    case_data: dict[str, Any],
    consent_data: dict[str, Any] | None = None,
    confirm_duplicate: bool = False,
) -> Participant:
    """Take up a new person: the record, the first case (the actor is responsible) and
    optionally the case-work consent.  Possible duplicates raise :class:`DuplicateFound`
    unless ``confirm_duplicate``."""
    policy.require(actor, Cap.PARTICIPANTS_CREATE, tenant)
    person = _clean_person(data)
    errors = participant_validate(person, tenant=tenant)
    errors |= case_validate(case_data, birth_date=person.get("birth_date"))
    if consent_data is not None:
        consent_data = {**consent_data, "purpose": ConsentPurpose.CASE_WORK, "provider": None}
        errors |= consent_validate(consent_data, participant=None, tenant=tenant, prefix="consent_")
        given = consent_data.get("given_on")
        birth = person.get("birth_date")
        if given is not None and birth is not None and given < birth:
            errors["consent_given_on"] = _("The consent cannot be dated before the birth.")
    if errors:
        raise ValidationFailed(errors)
    if not confirm_duplicate:
        candidates = duplicate_candidates(
            tenant=tenant,
            first_name=person["first_name"],
            last_name=person["last_name"],
            birth_date=person["birth_date"],
            transliteration=person.get("name_transliteration", ""),
        )
        if candidates:
            raise DuplicateFound(candidates)
    participant = Participant(tenant=tenant, **person)
    participant.name_key = participant_name_key(participant.first_name, participant.last_name)
    participant.pseudonym = new_pseudonym()
    participant.save()
    case = _new_case(tenant=tenant, participant=participant, actor=actor, case_data=case_data)
    consent = None
    if consent_data is not None:
        consent = Consent.objects.create(
            tenant=tenant,
            participant=participant,
            purpose=ConsentPurpose.CASE_WORK,
            given_on=consent_data["given_on"],
            form=consent_data["form"],
            witness=str(consent_data.get("witness") or ""),
            language=consent_data.get("language") or "de",
            expires_on=consent_data.get("expires_on"),
            recorded_by=actor,
        )
    policy.forget(actor)  # the actor is responsible now: assignments changed
    audit_record(
        actor=actor,
        action="participant.create",
        obj=participant,
        changes={k: [None, v] for k, v in person.items() if v not in (None, "", [], False)},
        details={
            "case": str(case.public_id),
            "module": case.module,
            "consent": str(consent.public_id) if consent else None,
            "duplicate_confirmed": confirm_duplicate,
        },
    )
    return participant


@transaction.atomic
def participant_update(
    *, actor: Any, participant: Participant, data: dict[str, Any], version: int | None
) -> Participant:
    """Correct the record (Art. 16 GDPR); ``version`` guards against overwriting a change
    somebody else saved in the meantime.  Changed fields are audited."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    locked = _lock(participant)
    participant_ensure_writable(locked)
    if version is not None and locked.version != version:
        raise ConflictError(
            _(
                "Somebody else has changed this person's record in the meantime. Your input "
                "is still in the form: compare it with the current data below and save again."
            )
        )
    person = _clean_person(data)
    merged = {k: getattr(locked, k) for k in PARTICIPANT_FIELDS} | person
    errors = participant_validate(merged, tenant=locked.tenant)
    if errors:
        raise ValidationFailed(errors)
    relevant = ELIGIBILITY_FIELDS & {k for k, v in person.items() if getattr(locked, k) != v}
    before = _snapshot_before(locked) if relevant else None
    changes = changed_fields(locked, person)
    if not changes:
        return locked
    if {"first_name", "last_name"} & set(changes):
        locked.name_key = participant_name_key(locked.first_name, locked.last_name)
    locked.version += 1
    locked.save()
    audit_record(actor=actor, action="participant.update", obj=locked, changes=changes)
    if before is not None:
        _recheck(
            participant=locked,
            before=before,
            actor=actor,
            reason="Neubewertung der Förderfähigkeit nach Änderung der Personendaten",
        )
    return locked


# --- eligibility re-check ----------------------------------------------------------------------


@dataclass
class _Before:
    snapshot: Snapshot
    targets: list[Any]
    context: dict[str, Any]
    on: date


def _snapshot_before(participant: Participant, on: date | None = None) -> _Before:
    on = on or _today()
    targets = funding_targets() + referral_targets(participant)
    context = _area_context(participant)
    return _Before(eligibility_snapshot(participant, on, targets, context), targets, context, on)


def _recheck(
    *,
    participant: Participant,
    before: _Before,
    actor: Any,
    reason: str,
    on: date | None = None,
    actor_label: str | None = None,
) -> list[Notice]:
    """Evaluate again, compare with ``before`` and tell the responsible case workers."""
    from .facts import snapshot_changes

    on = on or _today()
    after = eligibility_snapshot(participant, on, before.targets, before.context)
    lines = snapshot_changes(before.snapshot, after)
    if not lines:
        return []
    text = f"{reason} ({on:%d.%m.%Y}):\n" + "\n".join(f"– {line}" for line in lines)
    recipients = {case.responsible_id: case.responsible for case in _open_cases(participant)}
    if not recipients and getattr(actor, "is_authenticated", False):
        recipients = {actor.pk: actor}
    notices = Notice.objects.bulk_create(
        [
            Notice(
                tenant_id=participant.tenant_id,
                user=user,
                participant=participant,
                kind="eligibility",
                text=text,
            )
            for user in recipients.values()
        ]
    )
    audit_record(
        actor=actor,
        action="participant.eligibility_changed",
        obj=participant,
        details={"lines": lines, "notified": [u.get_username() for u in recipients.values()]},
        actor_label=actor_label,
    )
    return notices


def eligibility_recheck_expired(*, on: date | None = None, days: int = 1) -> list[Notice]:
    """For the daily job: statuses whose validity ended in the last ``days`` days (until
    yesterday) — evaluate on the last day of validity and today, notify on a change."""
    on = on or _today()
    entries = (
        ResidenceStatusEntry.objects.filter(
            valid_until__gte=on - timedelta(days=days), valid_until__lt=on
        )
        .filter(
            participant__anonymised_at__isnull=True,
            participant__merged_into__isnull=True,
            participant__restricted=False,
        )
        .select_related("participant", "participant__tenant", "participant__gemeinde")
        .order_by("participant_id", "valid_until")
    )
    notices: list[Notice] = []
    done: set[int] = set()
    for entry in entries:
        participant = entry.participant
        if participant.pk in done:
            continue
        done.add(participant.pk)
        assert entry.valid_until is not None
        with transaction.atomic():
            before = _snapshot_before(participant, entry.valid_until)
            notices += _recheck(
                participant=participant,
                before=before,
                actor=None,
                actor_label="recheck_eligibility",
                on=on,
                reason=(
                    "Neubewertung der Förderfähigkeit: Aufenthaltsstatus "
                    f"„{_status_label(entry)}“ ist am {entry.valid_until:%d.%m.%Y} abgelaufen"
                ),
            )
    return notices


@transaction.atomic
def notice_mark_read(*, actor: Any, notice: Notice) -> Notice:
    policy.require(actor, Cap.PARTICIPANT_EDIT, notice.participant)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at", "updated_at"])
    return notice


# --- residence status and benefit histories ----------------------------------------------------


def _status_label(entry: Any) -> str:
    label, _en = load_residence_status_catalogue().label_pair(entry.kind, entry.paragraph or None)
    return label


def _overlap(
    model: Any, participant: Participant, start: date, end: date | None, exclude: Any
) -> Any:
    qs = model.objects.filter(tenant_id=participant.tenant_id, participant=participant)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    qs = qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
    if end is not None:
        qs = qs.filter(valid_from__lte=end)
    return qs.order_by("valid_from").first()


def _period_errors(
    model: Any,
    participant: Participant,
    data: dict[str, Any],
    exclude: Any,
    describe: Any,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    start, end = data.get("valid_from"), data.get("valid_until")
    if start is None:
        return {"valid_from": _("This field is required.")}
    if end is not None and end < start:
        return {"valid_until": _("The end of validity lies before its start.")}
    if start < participant.birth_date:
        return {"valid_from": _("The start lies before the date of birth.")}
    other = _overlap(model, participant, start, end, exclude)
    if other is not None:
        start_text = other.valid_from.strftime("%d.%m.%Y")
        if other.valid_until is None:
            period = _("since %(start)s, open-ended") % {"start": start_text}
        else:
            period = f"{start_text} – {other.valid_until.strftime('%d.%m.%Y')}"
        errors["__all__"] = _(
            "The period overlaps with the entry “%(entry)s” (%(period)s). "
            "End or change that entry first."
        ) % {"entry": describe(other), "period": period}
    return errors


def status_validate(
    participant: Participant, data: dict[str, Any], *, exclude: Any = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    catalogue = load_residence_status_catalogue()
    info = catalogue.get(str(data.get("kind") or ""))
    if info is None or info.unknown:
        errors["kind"] = _("Choose a residence status from the catalogue.")
    elif data.get("paragraph") and info.paragraph(data["paragraph"]) is None:
        errors["kind"] = _("This paragraph does not belong to the chosen status.")
    return errors | _period_errors(ResidenceStatusEntry, participant, data, exclude, _status_label)


def benefit_validate(
    participant: Participant, data: dict[str, Any], *, exclude: Any = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.get("kind") not in BENEFIT_KINDS:
        errors["kind"] = _("Unknown value.")
    return errors | _period_errors(
        BenefitEntry, participant, data, exclude, lambda e: e.get_kind_display()
    )


def _end_open_entry(model: Any, participant: Participant, start: date) -> dict[str, Any] | None:
    """End the open entry that began before ``start`` on the day before."""
    open_entry = (
        model.objects.filter(
            tenant_id=participant.tenant_id,
            participant=participant,
            valid_until__isnull=True,
            valid_from__lt=start,
        )
        .order_by("-valid_from")
        .first()
    )
    if open_entry is None:
        return None
    open_entry.valid_until = start - timedelta(days=1)
    open_entry.save(update_fields=["valid_until", "updated_at"])
    return {"ended": str(open_entry.public_id), "until": open_entry.valid_until}


def _history_write(
    *,
    actor: Any,
    participant: Participant,
    model: Any,
    fields: list[str],
    validate: Any,
    data: dict[str, Any],
    entry: Any = None,
    end_previous: bool = False,
    action: str,
    reason: str,
) -> Any:
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    locked = _lock(participant)  # serialises writes to the same history
    participant_ensure_writable(locked)
    consent_require(locked, ConsentPurpose.CASE_WORK)
    values = {k: v for k, v in data.items() if k in fields}
    for text_field in ("paragraph", "issuing_office", "residence_obligation", "conditions"):
        if text_field in fields and text_field in values:
            values[text_field] = str(values[text_field] or "").strip()
    before = _snapshot_before(locked)
    details: dict[str, Any] = {}
    if entry is None and end_previous and values.get("valid_from"):
        ended = _end_open_entry(model, locked, values["valid_from"])
        if ended:
            details |= ended
    current = {k: getattr(entry, k) for k in fields} if entry is not None else {}
    errors = validate(locked, current | values, exclude=entry)
    if errors:
        raise ValidationFailed(errors)
    if entry is None:
        entry = model(tenant_id=locked.tenant_id, participant=locked, **values)
        entry.save()
        changes = {k: [None, v] for k, v in values.items() if v not in (None, "")}
    else:
        changes = changed_fields(entry, values)
        if not changes:
            return entry
        entry.save()
    details["entry"] = str(entry.public_id)
    audit_record(actor=actor, action=action, obj=locked, changes=changes, details=details)
    _recheck(participant=locked, before=before, actor=actor, reason=reason)
    return entry


@transaction.atomic
def status_add(
    *, actor: Any, participant: Participant, data: dict[str, Any], end_previous: bool = False
) -> ResidenceStatusEntry:
    """A new entry of the residence-status history; ``end_previous`` ends the open entry
    on the day before.  Overlaps are refused.  Re-checks eligibility."""
    entry: ResidenceStatusEntry = _history_write(
        actor=actor,
        participant=participant,
        model=ResidenceStatusEntry,
        fields=STATUS_FIELDS,
        validate=status_validate,
        data=data,
        end_previous=end_previous,
        action="participant.status_add",
        reason="Neubewertung der Förderfähigkeit nach Änderung des Aufenthaltsstatus",
    )
    return entry


@transaction.atomic
def status_update(
    *, actor: Any, participant: Participant, entry: ResidenceStatusEntry, data: dict[str, Any]
) -> ResidenceStatusEntry:
    result: ResidenceStatusEntry = _history_write(
        actor=actor,
        participant=participant,
        model=ResidenceStatusEntry,
        fields=STATUS_FIELDS,
        validate=status_validate,
        data=data,
        entry=_own_entry(ResidenceStatusEntry, participant, entry),
        action="participant.status_update",
        reason="Neubewertung der Förderfähigkeit nach Änderung des Aufenthaltsstatus",
    )
    return result


@transaction.atomic
def status_end(
    *, actor: Any, participant: Participant, entry: ResidenceStatusEntry, until: date
) -> ResidenceStatusEntry:
    return status_update(
        actor=actor, participant=participant, entry=entry, data={"valid_until": until}
    )


@transaction.atomic
def benefit_add(
    *, actor: Any, participant: Participant, data: dict[str, Any], end_previous: bool = False
) -> BenefitEntry:
    entry: BenefitEntry = _history_write(
        actor=actor,
        participant=participant,
        model=BenefitEntry,
        fields=BENEFIT_FIELDS,
        validate=benefit_validate,
        data=data,
        end_previous=end_previous,
        action="participant.benefit_add",
        reason="Neubewertung der Förderfähigkeit nach Änderung des Leistungsbezugs",
    )
    return entry


@transaction.atomic
def benefit_update(
    *, actor: Any, participant: Participant, entry: BenefitEntry, data: dict[str, Any]
) -> BenefitEntry:
    result: BenefitEntry = _history_write(
        actor=actor,
        participant=participant,
        model=BenefitEntry,
        fields=BENEFIT_FIELDS,
        validate=benefit_validate,
        data=data,
        entry=_own_entry(BenefitEntry, participant, entry),
        action="participant.benefit_update",
        reason="Neubewertung der Förderfähigkeit nach Änderung des Leistungsbezugs",
    )
    return result


@transaction.atomic
def benefit_end(
    *, actor: Any, participant: Participant, entry: BenefitEntry, until: date
) -> BenefitEntry:
    return benefit_update(
        actor=actor, participant=participant, entry=entry, data={"valid_until": until}
    )


def _own_entry(model: Any, participant: Participant, entry: Any) -> Any:
    if entry.participant_id != participant.pk or entry.tenant_id != participant.tenant_id:
        raise DomainError(_("This entry does not belong to the person."))
    return model.objects.select_for_update().get(pk=entry.pk)


# --- consent -----------------------------------------------------------------------------------


@transaction.atomic
def consent_record(*, actor: Any, participant: Participant, data: dict[str, Any]) -> Consent:
    """Record a consent for one purpose (with the provider for sharing with a provider)."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    locked = _lock(participant)
    participant_ensure_writable(locked)
    values: dict[str, Any] = {
        "purpose": data.get("purpose"),
        "provider": data.get("provider"),
        "given_on": data.get("given_on"),
        "form": data.get("form"),
        "witness": str(data.get("witness") or "").strip(),
        "language": data.get("language") or "de",
        "expires_on": data.get("expires_on"),
    }
    errors = consent_validate(values, participant=locked, tenant=locked.tenant)
    if values["given_on"] is not None and values["given_on"] < locked.birth_date:
        errors["given_on"] = _("The consent cannot be dated before the birth.")
    if errors:
        raise ValidationFailed(errors)
    consent = Consent.objects.create(
        tenant_id=locked.tenant_id, participant=locked, recorded_by=actor, **values
    )
    audit_record(
        actor=actor,
        action="participant.consent_add",
        obj=locked,
        changes={k: [None, v] for k, v in values.items() if v not in (None, "")},
        details={"consent": str(consent.public_id)},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, on: date | None = None) -> Consent:
    """The participant withdraws a consent (possible at any time, also while processing is
    restricted); processing that needs it stops from that day."""
    participant = consent.participant
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    on = on or _today()
    if locked.withdrawn_on is not None:
        raise DomainError(_("This consent has already been withdrawn."))
    if on < locked.given_on:
        raise ValidationFailed({"withdrawn_on": _("The withdrawal lies before the consent.")})
    if on > _today():
        raise ValidationFailed({"withdrawn_on": _("The withdrawal cannot lie in the future.")})
    locked.withdrawn_on = on
    locked.save(update_fields=["withdrawn_on", "updated_at"])
    audit_record(
        actor=actor,
        action="participant.consent_withdraw",
        obj=participant,
        changes={"withdrawn_on": [None, on]},
        details={"consent": str(locked.public_id), "purpose": locked.purpose},
    )
    return locked


# --- data-protection rights --------------------------------------------------------------------


@transaction.atomic
def participant_restrict(
    *, actor: Any, participant: Participant, restricted: bool, reason: str = ""
) -> Participant:
    """Art. 18 GDPR: the record becomes read-only for everybody and leaves the lists; or the
    restriction is lifted again."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    locked = _lock(participant)
    if locked.anonymised_at is not None or locked.merged_into_id is not None:
        participant_ensure_writable(locked)
    if locked.restricted == restricted:
        return locked
    locked.restricted = restricted
    locked.version += 1
    locked.save(update_fields=["restricted", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="participant.restrict" if restricted else "participant.restrict_lift",
        obj=locked,
        changes={"restricted": [not restricted, restricted]},
        details={"reason": reason[:300]} if reason else None,
    )
    return locked


def _blank_free_texts(participant: Participant) -> dict[str, int]:
    """Replace the free texts of everything that belongs to the participant."""
    tid = participant.tenant_id
    counts: dict[str, int] = {}
    counts["statuses"] = ResidenceStatusEntry.objects.filter(
        tenant_id=tid, participant=participant
    ).update(residence_obligation="", conditions="")
    cases = Case.objects.filter(tenant_id=tid, participant=participant)
    counts["contacts"] = Contact.objects.filter(tenant_id=tid, case__in=cases).update(
        topic=ANONYMISED, note="", proof_by=""
    )
    goals = Goal.objects.filter(tenant_id=tid, case__in=cases)
    counts["goals"] = goals.update(text=ANONYMISED)
    GoalReview.objects.filter(tenant_id=tid, goal__in=goals).update(note=ANONYMISED)
    referrals = Referral.objects.filter(tenant_id=tid, case__in=cases)
    counts["referrals"] = referrals.update(reason="", note_to_provider="")
    ReferralEvent.objects.filter(tenant_id=tid, referral__in=referrals).update(reason="")
    counts["episodes"] = EducationEpisode.objects.filter(
        tenant_id=tid, participant=participant
    ).update(title=ANONYMISED, organisation="", result="")
    counts["outcomes"] = Outcome.objects.filter(tenant_id=tid, case__in=cases).update(note="")
    Case.objects.filter(tenant_id=tid, participant=participant).update(closing_reason="")
    Consent.objects.filter(tenant_id=tid, participant=participant).update(witness="")
    assignments = VolunteerAssignment.objects.filter(tenant_id=tid, participant=participant)
    VolunteerMeeting.objects.filter(tenant_id=tid, assignment__in=assignments).update(note="")
    counts["notices"] = Notice.objects.filter(tenant_id=tid, participant=participant).delete()[0]
    return counts


def _delete_documents(participant: Participant) -> int:
    from django.core.files.storage import default_storage

    documents = list(
        Document.objects.filter(tenant_id=participant.tenant_id, participant=participant)
    )
    names = [d.storage_name for d in documents]
    Consent.objects.filter(document__in=documents).update(document=None)
    Document.objects.filter(pk__in=[d.pk for d in documents]).delete()

    def _remove() -> None:
        for name in names:
            if default_storage.exists(name):
                default_storage.delete(name)

    transaction.on_commit(_remove)
    return len(documents)


def _anonymise(
    participant: Participant, *, actor: Any, reason: str, actor_label: str | None = None
) -> dict[str, int]:
    locked = _lock(participant)
    if locked.anonymised_at is not None:
        raise DomainError(_("This record has already been anonymised."))
    counts = _blank_free_texts(locked)
    counts["documents"] = _delete_documents(locked)
    birth = locked.birth_date
    locked.first_name = ANONYMISED
    locked.last_name = "–"
    locked.name_transliteration = ""
    locked.name_key = ""
    locked.birth_date = date(birth.year, 1, 1)
    for name in ("phone", "email", "street", "postcode", "interpreter_language"):
        setattr(locked, name, "")
    for name in ("certificates", "other_languages", "work_experience", "interests"):
        setattr(locked, name, "")
    locked.anonymised_at = timezone.now()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="participant.anonymise",
        obj=locked,
        details={"reason": reason[:300], **counts},
        actor_label=actor_label,
    )
    return counts


@transaction.atomic
def participant_anonymise(*, actor: Any, participant: Participant, reason: str) -> Participant:
    """Art. 17 GDPR where records must be kept: names, contact data and free texts are
    replaced, the birth date is coarsened to 1 January, documents are deleted from the
    storage; cases, histories (without free texts) and the audit trail stay."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    if participant.merged_into_id is not None:
        participant_ensure_writable(participant)
    if not reason.strip():
        raise ValidationFailed(
            {"reason": _("Please give the reason (e.g. the request of the person).")}
        )
    _anonymise(participant, actor=actor, reason=reason)
    return Participant.objects.get(pk=participant.pk)


@dataclass
class RetentionRow:
    participant: Participant
    cases: int
    last_closed: date


def retention_candidates(*, today: date | None = None) -> list[RetentionRow]:
    """Participants whose cases are all closed and the last one longer ago than
    ``settings.TEILHABE_RETENTION_YEARS``."""
    today = today or _today()
    years = settings.TEILHABE_RETENTION_YEARS
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    qs = (
        Participant.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
        .annotate(
            n_cases=Count("cases", distinct=True),
            n_open=Count(
                "cases",
                filter=Q(
                    cases__status__in=[
                        CaseStatus.FIRST_CONTACT,
                        CaseStatus.ACTIVE,
                        CaseStatus.DORMANT,
                    ]
                )
                | Q(cases__closed_on__isnull=True),
                distinct=True,
            ),
            last_closed=Max("cases__closed_on"),
        )
        .filter(n_cases__gt=0, n_open=0, last_closed__lt=cutoff)
        .select_related("tenant")
        .order_by("tenant__name", "last_closed", "pk")
    )
    return [RetentionRow(p, p.n_cases, p.last_closed) for p in qs]


def retention_apply(*, today: date | None = None, dry_run: bool = False) -> list[RetentionRow]:
    """Anonymise every candidate (each in its own transaction); ``dry_run`` only lists."""
    rows = retention_candidates(today=today)
    if dry_run:
        return rows
    years = settings.TEILHABE_RETENTION_YEARS
    for row in rows:
        with transaction.atomic():
            _anonymise(
                row.participant,
                actor=None,
                actor_label="apply_retention",
                reason=f"Aufbewahrungsfrist von {years} Jahren nach Abschluss abgelaufen",
            )
    return rows


# --- merge -------------------------------------------------------------------------------------


@transaction.atomic
def participant_merge(*, actor: Any, keep: Participant, other: Participant) -> Participant:
    """Two records of the same person: everything of ``other`` moves to ``keep``; ``other``
    remains as a pointer (``merged_into``).  The actor must be allowed on both."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, keep)
    policy.require(actor, Cap.PARTICIPANT_EDIT, other)
    if keep.pk == other.pk:
        raise DomainError(_("A record cannot be merged with itself."))
    if keep.tenant_id != other.tenant_id:
        raise DomainError(_("Only records of the same tenant can be merged."))
    first, second = sorted([keep, other], key=lambda p: p.pk)
    locked = {p.pk: _lock(p) for p in (first, second)}
    keep_l, other_l = locked[keep.pk], locked[other.pk]
    participant_ensure_writable(keep_l)
    participant_ensure_writable(other_l)
    tid = keep_l.tenant_id
    moved: dict[str, int] = {}
    for label, model in (
        ("statuses", ResidenceStatusEntry),
        ("benefits", BenefitEntry),
        ("consents", Consent),
        ("cases", Case),
        ("episodes", EducationEpisode),
        ("documents", Document),
        ("notices", Notice),
        ("volunteer_assignments", VolunteerAssignment),
    ):
        moved[label] = model.objects.filter(tenant_id=tid, participant=other_l).update(
            participant=keep_l
        )
    other_l.merged_into = keep_l
    other_l.version += 1
    other_l.save(update_fields=["merged_into", "version", "updated_at"])
    keep_l.version += 1
    keep_l.save(update_fields=["version", "updated_at"])
    policy.forget(actor)
    audit_record(
        actor=actor,
        action="participant.merge",
        obj=keep_l,
        details={"merged": str(other_l.public_id), **moved},
    )
    audit_record(
        actor=actor,
        action="participant.merged_into",
        obj=other_l,
        changes={"merged_into": [None, str(keep_l.public_id)]},
        details={"kept": str(keep_l.public_id), **moved},
    )
    return keep_l


# --- transfer to another tenant ----------------------------------------------------------------


@transaction.atomic
def transfer_create(
    *,
    actor: Any,
    participant: Participant,
    to_tenant: Tenant,
    sections: list[str],
    confirmed: bool,
) -> Transfer:
    """The person moves: with the case-work consent and the explicit confirmation of what is
    handed over, the core data and the residence-status history (plus the chosen sections)
    are copied into ``to_tenant`` as a new record without a case; the case here is closed
    with the reason "Wegzug".  Audited in both tenants."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    policy.require(actor, Cap.CASE_MANAGE, participant)
    source = _lock(participant)
    participant_ensure_writable(source)
    if to_tenant.pk == source.tenant_id or not to_tenant.is_active:
        raise ValidationFailed({"to_tenant": _("Choose another, active tenant.")})
    unknown = set(sections) - set(TRANSFER_SECTIONS)
    if unknown:
        raise ValidationFailed({"sections": _("Unknown value.")})
    if not confirmed:
        raise ValidationFailed(
            {"confirmed": _("Please confirm that the person agreed to hand over the data listed.")}
        )
    consent = consent_require(source, ConsentPurpose.CASE_WORK)
    fields = list(TRANSFER_CORE)
    for section in sections:
        fields += TRANSFER_SECTIONS[section]
    copy = Participant(tenant=to_tenant, **{f: getattr(source, f) for f in fields})
    copy.name_key = source.name_key or participant_name_key(copy.first_name, copy.last_name)
    copy.pseudonym = new_pseudonym()
    copy.save()
    ResidenceStatusEntry.objects.bulk_create(
        [
            ResidenceStatusEntry(
                tenant=to_tenant,
                participant=copy,
                **{f: getattr(s, f) for f in STATUS_FIELDS},
            )
            for s in source.statuses.all()
        ]
    )
    if "benefits" in sections:
        BenefitEntry.objects.bulk_create(
            [
                BenefitEntry(
                    tenant=to_tenant, participant=copy, **{f: getattr(b, f) for f in BENEFIT_FIELDS}
                )
                for b in source.benefits.all()
            ]
        )
    if "education" in sections:
        episode_fields = [
            "kind",
            "title",
            "organisation",
            "started_on",
            "ended_on",
            "hours_per_week",
            "marginal",
            "result",
            "progress",
        ]
        EducationEpisode.objects.bulk_create(
            [
                EducationEpisode(
                    tenant=to_tenant, participant=copy, **{f: getattr(e, f) for f in episode_fields}
                )
                for e in source.episodes.all()
            ]
        )
    handed_over = ["core", "statuses", *sorted(sections)]
    transfer = Transfer.objects.create(
        tenant_id=source.tenant_id,
        participant=source,
        to_tenant=to_tenant,
        consent=consent,
        handed_over=handed_over,
        created_by=actor,
        new_participant=copy,
    )
    today = _today()
    closed = []
    for case in _open_cases(source):
        case.status = CaseStatus.CLOSED
        case.closed_on = today
        case.closing_reason = f"Wegzug (Übergabe an {to_tenant.name})"[:200]
        case.version += 1
        case.save(update_fields=["status", "closed_on", "closing_reason", "version", "updated_at"])
        if not Outcome.objects.filter(case=case, moment="closure").exists():
            Outcome.objects.create(
                tenant_id=case.tenant_id,
                case=case,
                moment="closure",
                kind=OutcomeKind.MOVED,
                recorded_on=today,
                note=f"Übergabe an {to_tenant.name}"[:300],
            )
        closed.append(str(case.public_id))
    audit_record(
        actor=actor,
        action="participant.transfer",
        obj=source,
        details={
            "transfer": str(transfer.public_id),
            "to_tenant": to_tenant.name,
            "handed_over": handed_over,
            "closed_cases": closed,
        },
    )
    audit_record(
        actor=actor,
        action="participant.transfer_received",
        obj=copy,
        tenant=to_tenant,
        details={
            "transfer": str(transfer.public_id),
            "from_tenant": source.tenant.name,
            "handed_over": handed_over,
        },
    )
    return transfer


@transaction.atomic
def transfer_accept(*, actor: Any, transfer: Transfer, module: str, intake_date: date) -> Case:
    """A case worker of the receiving tenant takes the person up: a case opens there with
    the actor responsible."""
    tenant = transfer.to_tenant
    policy.require(actor, Cap.PARTICIPANTS_CREATE, tenant)
    participant = transfer.new_participant
    if participant is None:
        raise DomainError(_("This transfer carries no record."))
    locked = _lock(participant)
    participant_ensure_writable(locked)
    if Case.objects.filter(participant=locked).exists():
        raise DomainError(_("This transfer has already been taken up."))
    errors = case_validate(
        {"module": module, "intake_date": intake_date}, birth_date=locked.birth_date
    )
    if errors:
        raise ValidationFailed(errors)
    case = _new_case(
        tenant=tenant,
        participant=locked,
        actor=actor,
        case_data={"module": module, "intake_date": intake_date},
    )
    policy.forget(actor)
    audit_record(
        actor=actor,
        action="participant.transfer_accepted",
        obj=locked,
        tenant=tenant,
        details={"transfer": str(transfer.public_id), "case": str(case.public_id)},
    )
    return case

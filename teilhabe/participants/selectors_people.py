"""Reads of the people area (scoped by the policy; the record itself is fetched and audited
through ``selectors.participant_get_for``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.models import AuditEvent
from teilhabe.audit.services import audit_record
from teilhabe.eligibility import load_residence_status_catalogue

from .consent import valid_consent
from .models import (
    BenefitEntry,
    Case,
    Consent,
    ConsentPurpose,
    Contact,
    Document,
    Goal,
    GoalReview,
    Notice,
    Outcome,
    Participant,
    Referral,
    ReferralEvent,
    ResidenceStatusEntry,
    Transfer,
    VolunteerAssignment,
    VolunteerMeeting,
)
from .selectors import participant_list_for, prepared_rows
from .services_people import STATUS_FIELDS, DuplicateCandidate, duplicate_candidates

# Audit actions that only read; the history of changes leaves them out.
READ_ACTIONS = ("read", "participant.export", "participant.transfer_viewed")


def status_label(entry: ResidenceStatusEntry) -> str:
    label, _en = load_residence_status_catalogue().label_pair(entry.kind, entry.paragraph or None)
    return label


def participant_page_for(
    *, actor: Any, tenant: Tenant, query: str = "", include_restricted: bool = False
) -> QuerySet[Participant, Any]:
    """The case worker's participants for the list page: the columns the list shows, as
    ``values()`` (``participant_rows`` adds the latest case of the page's people)."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, tenant)
    return participant_list_for(
        actor=actor, tenant=tenant, query=query, include_restricted=include_restricted
    ).values(
        "id",
        "public_id",
        "first_name",
        "last_name",
        "name_transliteration",
        "restricted",
        "birth_date",
        "gemeinde__name",
    )


def participant_rows(*, tenant: Tenant, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a page of ``participant_page_for``, with everything the list shows as
    text: the link, the date of birth, the municipality and the newest case (by intake)
    with its responsible person — one query for the cases of the whole page."""
    from teilhabe.core.fasturls import fast_reverse

    latest: dict[int, Any] = {}
    if people:
        cases = (
            Case.objects.filter(tenant=tenant, participant_id__in=[p["id"] for p in people])
            .order_by("-intake_date", "-pk")
            .values(
                "participant_id",
                "module",
                "status",
                "responsible__first_name",
                "responsible__last_name",
                "responsible__username",
            )
        )
        for found in cases:
            latest.setdefault(found["participant_id"], found)
    rows = []
    for person in people:
        birth = person["birth_date"]
        case = latest.get(person["id"])
        rows.append(
            {
                **person,
                "url": fast_reverse(
                    "participants:participant_detail", args=[tenant.public_id, person["public_id"]]
                ),
                "birth": f"{birth.day:02d}.{birth.month:02d}.{birth.year:04d}" if birth else "",
                "gemeinde": person["gemeinde__name"] or "–",
                "case": (
                    f"{_label(Case, 'module', case['module'])} · "
                    f"{_label(Case, 'status', case['status'])}"
                    if case
                    else "–"
                ),
                "responsible": (
                    _full_name(
                        case["responsible__first_name"],
                        case["responsible__last_name"],
                        case["responsible__username"],
                    )
                    if case
                    else "–"
                ),
            }
        )
    return rows


_LABELS: dict[tuple[Any, str], dict[Any, Any]] = {}


def _label(model: Any, field: str, value: Any) -> str:
    """``get_<field>_display()`` for a value read with ``values()``."""
    choices = _LABELS.get((model, field))
    if choices is None:
        choices = _LABELS[(model, field)] = dict(model._meta.get_field(field).flatchoices)
    return str(choices.get(value, value))


def _full_name(first: str | None, last: str | None, username: str | None) -> str:
    """``user.get_full_name|default:user.username``."""
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _statuses_query(pid: int, tid: int) -> QuerySet[Any, Any]:
    rows: QuerySet[Any, Any] = (
        ResidenceStatusEntry.objects.filter(tenant_id=tid, participant_id=pid)
        .order_by("-valid_from", "-pk")
        .values("id", "public_id", *STATUS_FIELDS)
    )
    return rows


def _benefits_query(pid: int, tid: int) -> QuerySet[Any, Any]:
    return (
        BenefitEntry.objects.filter(tenant_id=tid, participant_id=pid)
        .order_by("-valid_from", "-pk")
        .values("id", "public_id", "kind", "valid_from", "valid_until")
    )


def _consents_query(pid: int, tid: int) -> QuerySet[Any, Any]:
    return (
        Consent.objects.filter(tenant_id=tid, participant_id=pid)
        .order_by("-given_on", "-pk")
        .values(
            "public_id",
            "purpose",
            "provider__name",
            "given_on",
            "language",
            "form",
            "witness",
            "expires_on",
            "withdrawn_on",
        )
    )


def _cases_query(pid: int, tid: int) -> QuerySet[Any, Any]:
    return (
        Case.objects.filter(tenant_id=tid, participant_id=pid)
        .order_by("-intake_date", "-pk")
        .values(
            "public_id",
            "module",
            "status",
            "programme",
            "intake_date",
            "closed_on",
            "closing_reason",
            "responsible__first_name",
            "responsible__last_name",
            "responsible__username",
        )
    )


def _notices_query(pid: int, tid: int) -> QuerySet[Any, Any]:
    return (
        Notice.objects.filter(tenant_id=tid, participant_id=pid)
        .order_by("read_at", "-created_at")
        .values(
            "public_id",
            "text",
            "created_at",
            "read_at",
            "user__first_name",
            "user__last_name",
            "user__username",
        )[:20]
    )


def _transfers_query(pid: int, tid: int) -> QuerySet[Any, Any]:
    """Transfers of the person to other tenants and the one that brought the person here."""
    return (
        Transfer.objects.filter(Q(tenant_id=tid, participant_id=pid) | Q(new_participant_id=pid))
        .order_by("pk")
        .values("created_at", "participant_id", "tenant__name", "to_tenant__name")
    )


def participant_sections(participant: Participant) -> dict[str, Any]:
    """Everything the detail page shows besides the record itself (constant query count):
    plain rows (dicts that also answer attribute access) with their labels, read with
    prepared queries.  ``eligibility_overview`` can reuse its statuses and benefits."""
    pid, tid = participant.pk, participant.tenant_id
    today = timezone.localdate()
    statuses = prepared_rows("people.statuses", _statuses_query, pid, tid)
    current = None
    for entry in statuses:
        entry["label"] = status_label(entry)  # type: ignore[arg-type]
        entry["current"] = False
        if current is None and (
            entry["valid_from"] <= today
            and (entry["valid_until"] is None or entry["valid_until"] >= today)
        ):
            current = entry
            entry["current"] = True
    benefits = prepared_rows("people.benefits", _benefits_query, pid, tid)
    for entry in benefits:
        entry["kind_label"] = _label(BenefitEntry, "kind", entry["kind"])
    consents = prepared_rows("people.consents", _consents_query, pid, tid)
    for consent in consents:
        consent["provider_name"] = consent["provider__name"]
        consent["purpose_label"] = _label(Consent, "purpose", consent["purpose"])
        consent["form_label"] = _label(Consent, "form", consent["form"])
        consent["is_valid"] = (
            consent["withdrawn_on"] is None
            and consent["given_on"] <= today
            and (consent["expires_on"] is None or consent["expires_on"] >= today)
        )
    cases = prepared_rows("people.cases", _cases_query, pid, tid)
    for case in cases:
        case["module_label"] = _label(Case, "module", case["module"])
        case["status_label"] = _label(Case, "status", case["status"])
        case["responsible_name"] = _full_name(
            case["responsible__first_name"],
            case["responsible__last_name"],
            case["responsible__username"],
        )
    notices = prepared_rows("people.notices", _notices_query, pid, tid)
    for notice in notices:
        notice["user_name"] = _full_name(
            notice["user__first_name"], notice["user__last_name"], notice["user__username"]
        )
        notice["created"] = timezone.localtime(notice["created_at"]).strftime("%d.%m.%Y %H:%M")
    transfers_out: list[Any] = []
    transfer_in: list[Any] = []
    for transfer in prepared_rows("people.transfers", _transfers_query, pid, tid):
        transfer["to_tenant_name"] = transfer["to_tenant__name"]
        transfer["tenant_name"] = transfer["tenant__name"]
        (transfers_out if transfer["participant_id"] == pid else transfer_in).append(transfer)
    transfers_out.reverse()  # newest first
    return {
        "statuses": statuses,
        "current_status": current,
        "benefits": benefits,
        "consents": consents,
        "case_work_consent": any(
            c["is_valid"] for c in consents if c["purpose"] == ConsentPurpose.CASE_WORK
        ),
        "cases": cases,
        "notices": notices,
        "transfers_out": transfers_out,
        "transfer_in": transfer_in[0] if transfer_in else None,
    }


def eligibility_overview(
    participant: Participant,
    on: date | None = None,
    *,
    statuses: list[Any] | None = None,
    benefits: list[Any] | None = None,
) -> list[Any]:
    """Today's evaluation against the Förderbausteine and the offers of open referrals
    (``statuses``/``benefits``: the histories if already read, e.g. by
    ``participant_sections``)."""
    from .facts import eligibility_snapshot

    snapshot = eligibility_snapshot(
        participant, on or timezone.localdate(), statuses=statuses, benefits=benefits
    )
    return list(snapshot.values())


def participant_history_for(*, actor: Any, participant: Participant) -> QuerySet[AuditEvent]:
    """The changes of the record and its histories (reads left out), newest first."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    return (
        AuditEvent.objects.filter(
            tenant_id=participant.tenant_id,
            object_type="participants.participant",
            object_id=str(participant.public_id),
        )
        .exclude(action__in=READ_ACTIONS)
        .order_by("-created_at", "-id")
    )


# --- duplicates --------------------------------------------------------------------------------


def duplicates_for(
    *, actor: Any, participant: Participant
) -> list[tuple[DuplicateCandidate, bool]]:
    """Possible duplicates of a record, each with whether the actor may merge it."""
    candidates = duplicate_candidates(
        tenant=participant.tenant,
        first_name=participant.first_name,
        last_name=participant.last_name,
        birth_date=participant.birth_date,
        transliteration=participant.name_transliteration,
        exclude=participant,
    )
    return [(c, policy.can(actor, Cap.PARTICIPANT_EDIT, c.participant)) for c in candidates]


def duplicate_rows(*, actor: Any, candidates: list[DuplicateCandidate]) -> list[dict[str, Any]]:
    """What the registration page may show of possible duplicates: names and birth year;
    the link only where the actor works with the person anyway."""
    rows = []
    for c in candidates:
        rows.append(
            {
                "name": f"{c.first_name} {c.last_name}",
                "birth_year": c.birth_year,
                "reason": c.reason,
                "public_id": (
                    c.participant.public_id
                    if policy.can(actor, Cap.PARTICIPANT_EDIT, c.participant)
                    else None
                ),
            }
        )
    return rows


# --- single entries of a participant -----------------------------------------------------------


def status_entry_for(participant: Participant, public_id: Any) -> ResidenceStatusEntry | None:
    return ResidenceStatusEntry.objects.filter(
        tenant_id=participant.tenant_id, participant=participant, public_id=public_id
    ).first()


def benefit_entry_for(participant: Participant, public_id: Any) -> BenefitEntry | None:
    return BenefitEntry.objects.filter(
        tenant_id=participant.tenant_id, participant=participant, public_id=public_id
    ).first()


def consent_for(participant: Participant, public_id: Any) -> Consent | None:
    return (
        Consent.objects.filter(
            tenant_id=participant.tenant_id, participant=participant, public_id=public_id
        )
        .select_related("provider", "participant")
        .first()
    )


def notice_for(participant: Participant, public_id: Any) -> Notice | None:
    return (
        Notice.objects.filter(
            tenant_id=participant.tenant_id, participant=participant, public_id=public_id
        )
        .select_related("participant")
        .first()
    )


def providers_for_consent(tenant: Tenant) -> Any:
    from teilhabe.offers.models import Provider

    return Provider.objects.filter(tenant=tenant, is_active=True).order_by("name")


def case_work_consent(participant: Participant) -> Consent | None:
    return valid_consent(participant, ConsentPurpose.CASE_WORK)


# --- transfers ---------------------------------------------------------------------------------


def transfer_target_tenants(tenant: Tenant) -> QuerySet[Tenant]:
    return Tenant.objects.filter(is_active=True).exclude(pk=tenant.pk).order_by("name")


def transfers_incoming_for(*, actor: Any, tenant: Tenant) -> QuerySet[Transfer]:
    """Transfers to this tenant; ``taken_up`` once a case opened for the new record."""
    policy.require(actor, Cap.PARTICIPANTS_CREATE, tenant)
    return (
        Transfer.objects.filter(to_tenant=tenant, new_participant__isnull=False)
        .select_related("tenant", "new_participant", "created_by")
        .annotate(
            taken_up=Exists(Case.objects.filter(participant_id=OuterRef("new_participant_id")))
        )
        .order_by("taken_up", "-created_at")
    )


def transfer_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Transfer | None:
    transfer = (
        transfers_incoming_for(actor=actor, tenant=tenant).filter(public_id=public_id).first()
    )
    if transfer is not None:
        audit_record(
            actor=actor,
            action="participant.transfer_viewed",
            obj=transfer.new_participant,
            tenant=tenant,
            details={"transfer": str(transfer.public_id)},
        )
    return transfer


# --- Art. 15 GDPR: the complete record ---------------------------------------------------------


def _plain(value: Any) -> Any:
    from teilhabe.accounts.models import User

    if isinstance(value, User):
        return value.get_full_name() or value.get_username()
    if hasattr(value, "_meta"):
        return str(value)
    return value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("id", "tenant", *skip):
            continue
        if f.is_relation:
            row[f.name] = _plain(getattr(obj, f.name)) if getattr(obj, f.attname) else None
        else:
            row[f.name] = getattr(obj, f.attname)
            if f.choices and row[f.name] not in (None, ""):
                row[f"{f.name}_text"] = str(getattr(obj, f"get_{f.name}_display")())
    return row


def _object_ids(participant: Participant, cases: list[Case]) -> list[str]:
    ids = [str(participant.public_id)]
    for case in cases:
        ids.append(str(case.public_id))
        for related in ("goals", "contacts", "referrals", "outcomes"):
            ids += [str(o.public_id) for o in getattr(case, related).all()]
    for related in ("statuses", "benefits", "consents", "episodes", "documents"):
        ids += [str(o.public_id) for o in getattr(participant, related).all()]
    return ids


def access_trail(participant: Participant, cases: list[Case] | None = None) -> list[AuditEvent]:
    """Who read or changed the record (and its cases, histories, documents), and refused
    attempts to open it."""
    if cases is None:
        cases = list(
            Case.objects.filter(participant=participant).prefetch_related(
                "goals", "contacts", "referrals", "outcomes"
            )
        )
    ids = _object_ids(participant, cases)
    events = list(
        AuditEvent.objects.filter(tenant_id=participant.tenant_id, object_id__in=ids).order_by(
            "created_at", "id"
        )
    )
    denied = AuditEvent.objects.filter(
        tenant_id=participant.tenant_id,
        action="security.participant_denied",
        changes___details__participant=str(participant.public_id),
    ).order_by("created_at", "id")
    return sorted([*events, *denied], key=lambda e: (e.created_at, e.pk))


def _event_row(event: AuditEvent, hide_values: bool) -> dict[str, Any]:
    changes = {k: v for k, v in (event.changes or {}).items() if k != "_details"}
    return {
        "time": event.created_at,
        "actor": event.actor_label or None,
        "action": event.action,
        "object": event.object_type,
        "ip_address": event.ip_address,
        "changed_fields": sorted(changes) if hide_values else changes,
    }


def participant_record_for(*, actor: Any, participant: Participant, fmt: str) -> dict[str, Any]:
    """The complete record of a participant (Art. 15 GDPR) including the audit trail; the
    export itself is audited first, so it appears in the trail."""
    policy.require(actor, Cap.PARTICIPANT_EDIT, participant)
    audit_record(
        actor=actor,
        action="participant.export",
        obj=participant,
        details={"format": fmt, "article": "Art. 15 DSGVO"},
    )
    tid = participant.tenant_id
    p = (
        Participant.objects.filter(pk=participant.pk)
        .select_related("gemeinde", "tenant", "merged_into")
        .prefetch_related(
            "statuses",
            "benefits",
            Prefetch(
                "consents", queryset=Consent.objects.select_related("provider", "recorded_by")
            ),
            "episodes",
            Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
            "notices__user",
        )
        .get()
    )
    cases = list(
        Case.objects.filter(tenant_id=tid, participant=p)
        .select_related("responsible")
        .prefetch_related(
            "team",
            Prefetch("goals", queryset=Goal.objects.select_related("category")),
            Prefetch("goals__reviews", queryset=GoalReview.objects.all()),
            Prefetch("contacts", queryset=Contact.objects.select_related("staff")),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("offer", "offer__provider"),
            ),
            Prefetch("referrals__events", queryset=ReferralEvent.objects.select_related("actor")),
            Prefetch("outcomes", queryset=Outcome.objects.all()),
        )
        .order_by("intake_date", "pk")
    )
    assignments = list(
        VolunteerAssignment.objects.filter(tenant_id=tid, participant=p)
        .select_related("volunteer")
        .prefetch_related(Prefetch("meetings", queryset=VolunteerMeeting.objects.all()))
    )
    hide = p.anonymised_at is not None
    statuses = []
    for s in p.statuses.all():
        row = _row(s, ("participant",))
        row["label"] = status_label(s)
        statuses.append(row)
    record: dict[str, Any] = {
        "title": "Auskunft nach Art. 15 DSGVO",
        "created_at": timezone.now(),
        "created_by": _plain(actor),
        "controller": p.tenant.name,
        "participant": _row(p),
        "residence_statuses": statuses,
        "benefits": [_row(b, ("participant",)) for b in p.benefits.all()],
        "consents": [_row(c, ("participant",)) for c in p.consents.all()],
        "cases": [
            {
                **_row(case, ("participant",)),
                "team": [_plain(u) for u in case.team.all()],
                "goals": [
                    {
                        **_row(g, ("case",)),
                        "reviews": [_row(r, ("goal",)) for r in g.reviews.all()],
                    }
                    for g in case.goals.all()
                ],
                "contacts": [_row(c, ("case",)) for c in case.contacts.all()],
                "referrals": [
                    {
                        **_row(r, ("case",)),
                        "provider": r.offer.provider.name,
                        "events": [_row(e, ("referral",)) for e in r.events.all()],
                    }
                    for r in case.referrals.all()
                ],
                "outcomes": [_row(o, ("case",)) for o in case.outcomes.all()],
            }
            for case in cases
        ],
        "education_episodes": [_row(e, ("participant",)) for e in p.episodes.all()],
        "documents": [_row(d, ("participant", "storage_name")) for d in p.documents.all()],
        "volunteer_assignments": [
            {
                **_row(a, ("participant",)),
                "meetings": [_row(m, ("assignment",)) for m in a.meetings.all()],
            }
            for a in assignments
        ],
        "transfers": [
            _row(t, ("participant",))
            for t in Transfer.objects.filter(Q(participant=p) | Q(new_participant=p))
            .select_related("to_tenant", "created_by", "consent", "new_participant")
            .order_by("created_at")
        ],
        "notices": [_row(n, ("participant",)) for n in p.notices.all()],
        "access_log": [_event_row(e, hide) for e in access_trail(p, cases)],
    }
    return record


def record_json(record: dict[str, Any]) -> str:
    import json

    return json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _shown(value: Any) -> str:
    from datetime import datetime

    from django.utils.translation import gettext as _

    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items()) or "–"
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value) or "–"
    return str(value)


def record_sections(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record for a printable page: sections of items, each a list of (key, value)
    rows; nested lists (a case's contacts …) become items of their own."""
    from django.utils.translation import gettext as _

    titles = {
        "participant": _("Personal data"),
        "residence_statuses": _("Residence status"),
        "benefits": _("Benefits"),
        "consents": _("Consents"),
        "cases": _("Cases"),
        "education_episodes": _("Education history"),
        "documents": _("Documents (metadata)"),
        "volunteer_assignments": _("Volunteer support"),
        "transfers": _("Transfers"),
        "notices": _("Notices"),
    }

    def items(rows: Any, title: str) -> list[dict[str, Any]]:
        result = []
        for i, row in enumerate(rows if isinstance(rows, list) else [rows], start=1):
            plain: list[tuple[str, str]] = [
                (k, _shown(v)) for k, v in row.items() if not isinstance(v, list)
            ]
            label = f"{title} {i}" if isinstance(rows, list) else title
            result.append({"title": label, "rows": plain})
            for key, nested in row.items():
                if isinstance(nested, list) and nested and isinstance(nested[0], dict):
                    result += items(nested, f"{label} – {key}")
                elif isinstance(nested, list):
                    plain.append((key, _shown(nested)))
        return result

    sections = []
    for key, title in titles.items():
        value = record.get(key)
        sections.append({"title": title, "items": items(value, title) if value else []})
    return sections


# --- audit views ---------------------------------------------------------------------------------


def participant_audit_labels(actor: Any, public_ids: list[str]) -> dict[str, str]:
    """Live names for the audit views (the log itself holds pseudonyms only): the current
    name of each record the actor may open today — an anonymised record shows its
    placeholder, a record the actor may not see is left out (the view shows the pseudonym).
    One query, the policy decides from the actor's cached assignments."""
    import uuid

    valid = []
    for value in public_ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    if not valid:
        return {}
    found = Participant.objects.filter(public_id__in=valid).only(
        "pk", "tenant_id", "public_id", "first_name", "last_name"
    )
    return {str(p.public_id): str(p) for p in found if policy.can(actor, Cap.PARTICIPANT_VIEW, p)}

"""Pages of the referrals area: referrals (case worker and provider), overdue answers,
volunteers and documents.  Views parse input, read through ``selectors_referrals``, call one
service and render; they never query models themselves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import DomainError
from teilhabe.offers.models import LANGUAGE_CHOICES

from . import documents
from . import selectors_referrals as sel
from . import services_referrals as svc
from .forms_referrals import (
    DocumentUploadForm,
    ProviderAnswerForm,
    ReferralCreateForm,
    ReferralFilterForm,
    ReferralSendForm,
    ReferralWithdrawForm,
    VolunteerAssignForm,
    VolunteerEndForm,
    VolunteerMeetingForm,
    VolunteerProfileForm,
    releasable_choices,
)
from .models import VOLUNTEER_FIELDS, Participant, Referral, ReferralStatus

PAGE_SIZE = 25


def _(text: str) -> str:
    return pgettext("referrals", text)


def _tenant(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


def _lang() -> str:
    return "de" if (get_language() or "de").startswith("de") else "en"


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even when empty, e.g. every checkbox unticked), else None."""
    return request.POST if request.method == "POST" else None


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Referrals: the case worker -------------------------------------------------------------------


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.CASE_MANAGE, tenant)
    form = ReferralFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    referrals = sel.referral_list_for(actor=request.user, tenant=tenant, status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/referrals/referral_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "today": timezone.localdate(),
            "overdue_count": sel.overdue_referrals_for(request.user, tenant).count(),
        },
    )


@require_GET
def referral_overdue(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.CASE_MANAGE, tenant)
    referrals = sel.overdue_referrals_for(request.user, tenant)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/referrals/referral_overdue.html",
        {"page": page, "query": _query(request), "today": timezone.localdate()},
    )


def _case(request: HttpRequest, case_id: Any, purpose: str = "referral.case_read") -> Any:
    tenant = _tenant(request)
    policy.require(request.user, Cap.CASE_MANAGE, tenant)
    case = sel.case_get_for(actor=request.user, tenant=tenant, public_id=case_id, purpose=purpose)
    if case is None:
        raise Http404
    return case


@require_GET
def referral_case(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    referrals = sel.referrals_of_case(actor=request.user, case=case)
    return render(
        request,
        "participants/referrals/case_referrals.html",
        {"case": case, "referrals": referrals, "today": timezone.localdate()},
    )


@require_GET
def referral_suggest(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id, purpose="referral.suggest")
    suggestions = sel.referral_suggestions_for(actor=request.user, case=case)
    return render(
        request,
        "participants/referrals/referral_suggest.html",
        {"case": case, "s": suggestions, "lang": _lang()},
    )


@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, case_id: Any, offer_id: Any) -> HttpResponse:
    case = _case(request, case_id, purpose="referral.suggest")
    match = sel.referral_offer_match(actor=request.user, case=case, offer_public_id=offer_id)
    if match is None:
        raise Http404
    needs_confirmation = match.status != "eligible"
    form = ReferralCreateForm(_posted(request), needs_confirmation=needs_confirmation)
    if request.method == "POST" and form.is_valid():
        try:
            referral = svc.referral_create(
                actor=request.user,
                case=case,
                offer=match.offer,
                note_to_provider=form.cleaned_data["note_to_provider"],
                eligibility=str(match.status),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The referral was created. Send it when it is ready."))
            return redirect(
                "participants:referral_detail", _tenant(request).public_id, referral.public_id
            )
    return render(
        request,
        "participants/referrals/referral_create.html",
        {"case": case, "m": match, "form": form, "lang": _lang()},
    )


def _referral(request: HttpRequest, referral_id: Any) -> Referral:
    tenant = _tenant(request)
    policy.require(request.user, Cap.CASE_MANAGE, tenant)
    referral = sel.referral_get_for(actor=request.user, tenant=tenant, public_id=referral_id)
    if referral is None:
        raise Http404
    return referral


def _released_labels(referral: Referral) -> list[str]:
    labels = dict(releasable_choices())
    return [str(labels.get(f, f)) for f in referral.released_fields]


@require_GET
def referral_detail(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = _referral(request, referral_id)
    steps = svc.allowed_steps(referral.status, provider=False)
    return render(
        request,
        "participants/referrals/referral_detail.html",
        {
            "referral": referral,
            "case": referral.case,
            "may_send": ReferralStatus.SENT in steps,
            "may_withdraw": ReferralStatus.WITHDRAWN in steps,
            "released": _released_labels(referral),
            "today": timezone.localdate(),
            "consent_ok": sel.provider_may_see_data(referral),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_send(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = _referral(request, referral_id)
    if referral.status != ReferralStatus.SUGGESTED:
        messages.info(request, _("The referral has already been sent."))
        return redirect("participants:referral_detail", _tenant(request).public_id, referral_id)
    form = ReferralSendForm(
        _posted(request),
        initial={
            "released_fields": ["name", "phone"],
            "note_to_provider": referral.note_to_provider,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.referral_send(
                actor=request.user,
                referral=referral,
                released_fields=form.cleaned_data["released_fields"],
                note_to_provider=form.cleaned_data["note_to_provider"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The referral was sent to the provider."))
            return redirect("participants:referral_detail", _tenant(request).public_id, referral_id)
    return render(
        request,
        "participants/referrals/referral_send.html",
        {
            "referral": referral,
            "case": referral.case,
            "form": form,
            "consent_ok": sel.provider_may_see_data(referral),
            "answer_days": sel.answer_due_default(timezone.localdate()),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_withdraw(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = _referral(request, referral_id)
    form = ReferralWithdrawForm(_posted(request), initial={"expected_status": referral.status})
    if request.method == "POST" and form.is_valid():
        try:
            svc.referral_withdraw(
                actor=request.user,
                referral=referral,
                reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The referral was withdrawn."))
            return redirect("participants:referral_detail", _tenant(request).public_id, referral_id)
    return render(
        request,
        "participants/referrals/referral_withdraw.html",
        {"referral": referral, "case": referral.case, "form": form},
    )


# --- Referrals: the provider ----------------------------------------------------------------------


def _language_names(codes: list[str]) -> str:
    names = dict(LANGUAGE_CHOICES)
    return ", ".join(str(names.get(c, c)) for c in codes or [])


def released_data(referral: Referral) -> list[tuple[str, str]]:
    """(label, value) of exactly the released fields of the participant."""
    p: Participant = referral.case.participant
    labels = dict(releasable_choices())
    values = {
        "name": f"{p.first_name} {p.last_name}",
        "birth_date": p.birth_date.strftime("%d.%m.%Y") if p.birth_date else "–",
        "phone": p.phone or "–",
        "email": p.email or "–",
        "languages": _language_names(p.languages) or "–",
        "german_level": p.german_level or "–",
        "note": referral.note_to_provider or "–",
    }
    return [
        (str(labels[f]), values[f]) for f in referral.released_fields if f in values and f in labels
    ]


@require_GET
def provider_referral_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = ReferralFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    referrals = sel.provider_referral_list_for(actor=request.user, tenant=tenant, status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    allowed = sel.sharing_consent_pairs(rows)
    for r in rows:
        r.consent_ok = (r.case.participant_id, r.offer.provider_id) in allowed
        r.shown_name = (
            f"{r.case.participant.first_name} {r.case.participant.last_name}"
            if r.consent_ok and "name" in r.released_fields
            else ""
        )
    return render(
        request,
        "participants/referrals/provider_list.html",
        {"form": form, "page": page, "rows": rows, "query": _query(request)},
    )


@require_http_methods(["GET", "POST"])
def provider_referral_detail(request: HttpRequest, referral_id: Any) -> HttpResponse:
    from teilhabe.audit.services import audit_record

    tenant = _tenant(request)
    referral = sel.provider_referral_get_for(
        actor=request.user, tenant=tenant, public_id=referral_id
    )
    if referral is None:
        raise Http404
    consent_ok = sel.provider_may_see_data(referral)
    steps = svc.allowed_steps(referral.status, provider=True) if consent_ok else []
    form = ProviderAnswerForm(
        _posted(request), steps=steps, initial={"expected_status": referral.status}
    )
    if request.method == "POST":
        if not steps:
            raise PermissionDenied
        if form.is_valid():
            try:
                svc.referral_answer(
                    actor=request.user,
                    referral=referral,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["happened_on"],
                    expected_status=form.cleaned_data["expected_status"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your answer was saved."))
                return redirect(
                    "participants:referral_provider_detail", tenant.public_id, referral_id
                )
    if consent_ok:
        audit_record(
            actor=request.user,
            action="referral.provider_read",
            obj=referral.case.participant,
            tenant=tenant,
            details={"referral": str(referral.public_id), "fields": list(referral.released_fields)},
        )
    return render(
        request,
        "participants/referrals/provider_detail.html",
        {
            "referral": referral,
            "consent_ok": consent_ok,
            "data": released_data(referral) if consent_ok else [],
            "form": form,
            "steps": steps,
        },
    )


# --- Volunteers: coordination and case workers ----------------------------------------------------


@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    profiles = list(sel.volunteer_profile_list_for(actor=request.user, tenant=tenant))
    today = timezone.localdate()
    for p in profiles:
        p.clearance_warning = sel.clearance_warning(p, today)  # type: ignore[attr-defined]
        p.language_names = _language_names(p.languages)  # type: ignore[attr-defined]
    candidates = sel.volunteer_candidates_for(actor=request.user, tenant=tenant)
    return render(
        request,
        "participants/referrals/volunteer_list.html",
        {"profiles": profiles, "candidate_count": candidates.count()},
    )


@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, profile_id: Any = None) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.VOLUNTEERS_MANAGE, tenant)
    profile = None
    candidates = None
    if profile_id is not None:
        profile = sel.volunteer_profile_get_for(
            actor=request.user, tenant=tenant, public_id=profile_id
        )
        if profile is None:
            raise Http404
        initial = {
            "availability": profile.availability,
            "languages": profile.languages,
            "police_clearance_on": profile.police_clearance_on,
        }
    else:
        candidates = list(sel.volunteer_candidates_for(actor=request.user, tenant=tenant))
        initial = {}
    form = VolunteerProfileForm(_posted(request), initial=initial, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "user"}
        user = None
        if candidates is not None:
            user = next(
                (u for u in candidates if str(u.public_id) == form.cleaned_data["user"]), None
            )
        try:
            profile = svc.volunteer_profile_save(
                actor=request.user, tenant=tenant, data=data, profile=profile, user=user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The volunteer record was saved."))
            return redirect("participants:volunteer_detail", tenant.public_id, profile.public_id)
    return render(
        request,
        "participants/referrals/volunteer_form.html",
        {"form": form, "profile": profile},
    )


def _profile(request: HttpRequest, profile_id: Any) -> Any:
    tenant = _tenant(request)
    profile = sel.volunteer_profile_get_for(actor=request.user, tenant=tenant, public_id=profile_id)
    if profile is None:
        raise Http404
    return profile


@require_GET
def volunteer_detail(request: HttpRequest, profile_id: Any) -> HttpResponse:
    profile = _profile(request, profile_id)
    assignments = sel.volunteer_assignments_of(actor=request.user, profile=profile)
    return render(
        request,
        "participants/referrals/volunteer_detail.html",
        {
            "profile": profile,
            "assignments": assignments,
            "clearance_warning": sel.clearance_warning(profile),
            "language_names": _language_names(profile.languages),
            "may_assign": policy.can(request.user, Cap.CASE_MANAGE, _tenant(request)),
        },
    )


@require_http_methods(["GET", "POST"])
def volunteer_assign(request: HttpRequest, profile_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    profile = _profile(request, profile_id)
    policy.require(request.user, Cap.CASE_MANAGE, tenant)
    participants = list(sel.assignable_participants_for(actor=request.user, tenant=tenant))
    form = VolunteerAssignForm(_posted(request), participants=participants)
    if request.method == "POST" and form.is_valid():
        chosen = next(
            (p for p in participants if str(p.public_id) == form.cleaned_data["participant"]), None
        )
        try:
            if chosen is None:
                raise DomainError(_("Please choose the person."))
            svc.volunteer_assign(
                actor=request.user,
                profile=profile,
                participant=chosen,
                started_on=form.cleaned_data["started_on"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The volunteer was assigned."))
            if sel.clearance_warning(profile):
                messages.warning(
                    request,
                    _(
                        "The police clearance certificate of the volunteer is missing or "
                        "older than five years."
                    ),
                )
            return redirect("participants:volunteer_detail", tenant.public_id, profile.public_id)
    return render(
        request,
        "participants/referrals/volunteer_assign.html",
        {
            "form": form,
            "profile": profile,
            "clearance_warning": sel.clearance_warning(profile),
        },
    )


@require_http_methods(["GET", "POST"])
def volunteer_assignment_end(request: HttpRequest, assignment_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    assignment = sel.volunteer_assignment_get_for(
        actor=request.user, tenant=tenant, public_id=assignment_id
    )
    if assignment is None:
        raise Http404
    profile = sel.volunteer_profile_get_for_user(
        actor=request.user, tenant=tenant, user_id=assignment.volunteer_id
    )
    own = policy.assigned_participant_ids(request.user, tenant.pk)["case"]
    shown_name = (
        str(assignment.participant)
        if assignment.participant_id in own
        else assignment.participant.pseudonym or "–"
    )
    form = VolunteerEndForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            svc.volunteer_assignment_end(
                actor=request.user, assignment=assignment, last_day=form.cleaned_data["last_day"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The assignment was ended."))
            if profile is not None:
                return redirect(
                    "participants:volunteer_detail", tenant.public_id, profile.public_id
                )
            return redirect("participants:volunteer_list", tenant.public_id)
    return render(
        request,
        "participants/referrals/volunteer_end.html",
        {"form": form, "assignment": assignment, "profile": profile, "shown_name": shown_name},
    )


# --- Volunteers: their own pages ------------------------------------------------------------------


@require_GET
def volunteer_home(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    assignments = sel.volunteer_own_assignments(actor=request.user, tenant=tenant)
    return render(
        request, "participants/referrals/volunteer_home.html", {"assignments": assignments}
    )


def volunteer_view(participant: Participant) -> list[tuple[str, str]]:
    """Only ``models.VOLUNTEER_FIELDS`` of the participant, as (label, value)."""
    labels = {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "phone": _("Phone"),
        "languages": _("Languages spoken"),
        "interpreter_needed": _("Interpreter needed"),
        "interests": _("Interests"),
    }
    rows = []
    for name in VOLUNTEER_FIELDS:
        value: Any = getattr(participant, name)
        if name == "languages":
            value = _language_names(value)
        elif name == "interpreter_needed":
            value = _("yes") if value else _("no")
        rows.append((labels.get(name, name), str(value or "–")))
    return rows


@require_http_methods(["GET", "POST"])
def volunteer_participant(request: HttpRequest, participant_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    found = sel.volunteer_participant_get_for(
        actor=request.user, tenant=tenant, public_id=participant_id
    )
    if found is None:
        raise Http404
    participant, assignment = found
    form = VolunteerMeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            svc.volunteer_meeting_log(
                actor=request.user,
                assignment=assignment,
                happened_on=form.cleaned_data["happened_on"],
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("participants:volunteer_participant", tenant.public_id, participant_id)
    meetings = sel.volunteer_meetings_of(actor=request.user, assignment=assignment)
    return render(
        request,
        "participants/referrals/volunteer_participant.html",
        {
            "participant_name": f"{participant.first_name} {participant.last_name}",
            "rows": volunteer_view(participant),
            "assignment": assignment,
            "meetings": meetings,
            "form": form,
        },
    )


# --- Documents ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def document_list(request: HttpRequest, participant_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    participant = sel.document_participant_get_for(
        actor=request.user, tenant=tenant, public_id=participant_id
    )
    if participant is None:
        raise Http404
    may_edit = policy.can(request.user, Cap.PARTICIPANT_EDIT, participant)
    form = DocumentUploadForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                documents.document_upload(
                    actor=request.user,
                    participant=participant,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
            except DomainError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, _("The document was uploaded."))
                return redirect("participants:document_list", tenant.public_id, participant_id)
    return render(
        request,
        "participants/referrals/document_list.html",
        {
            "participant": participant,
            "documents": sel.document_list_for(actor=request.user, participant=participant),
            "form": form,
            "may_edit": may_edit,
            "max_mb": documents._megabytes(documents.max_bytes()),
        },
    )


@require_GET
def document_download(request: HttpRequest, document_id: Any) -> HttpResponseBase:
    tenant = _tenant(request)
    document = sel.document_get_for(actor=request.user, tenant=tenant, public_id=document_id)
    if document is None:
        raise Http404
    try:
        handle, filename = documents.document_open(actor=request.user, document=document)
    except DomainError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, document_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    document = sel.document_get_for(actor=request.user, tenant=tenant, public_id=document_id)
    if document is None:
        raise Http404
    policy.require(request.user, Cap.PARTICIPANT_EDIT, document.participant)
    error = ""
    if request.method == "POST":
        try:
            documents.document_delete(actor=request.user, document=document)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("The document was deleted."))
            return redirect(
                "participants:document_list", tenant.public_id, document.participant.public_id
            )
    return render(
        request,
        "participants/referrals/document_delete.html",
        {"document": document, "error": error},
    )

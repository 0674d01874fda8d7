"""Pages of the people area: list, registration, record, histories, consents, the
data-protection rights and transfers.  Reads through selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import ConflictError, DomainError
from teilhabe.territory.models import gemeinden_in

from . import selectors, selectors_people, services_people
from .forms_people import (
    CONSENT_FORM_LANGUAGES,
    SECTION_LABELS,
    BenefitForm,
    ConsentRecordForm,
    EndForm,
    MergeForm,
    ParticipantEditForm,
    ReasonForm,
    RegisterForm,
    RestrictForm,
    SearchForm,
    StatusForm,
    TransferAcceptForm,
    TransferForm,
    WithdrawForm,
)
from .models import Participant

PAGE_SIZE = 25


def _tenant(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


def _participant(
    request: HttpRequest, participant_id: Any, *, purpose: str = "read"
) -> Participant:
    """The participant (read audited) or 404; only case workers of the person go on."""
    participant = selectors.participant_get_for(
        actor=request.user,
        tenant=_tenant(request),
        public_id=participant_id,
        purpose=purpose,
        capability=Cap.PARTICIPANT_EDIT,
    )
    if participant is None:
        raise Http404
    return participant


def _to_detail(participant: Participant) -> HttpResponse:
    return redirect(
        "participants:participant_detail", participant.tenant.public_id, participant.public_id
    )


def _apply_errors(form: Any, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None)
    if not errors:
        form.add_error(None, str(exc))
        return
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


# --- list and registration ---------------------------------------------------------------------


def participant_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = SearchForm(request.GET or None)
    query, restricted = "", False
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        restricted = form.cleaned_data["gesperrt"]
    participants = selectors_people.participant_page_for(
        actor=request.user, tenant=tenant, query=query, include_restricted=restricted
    )
    page = _page(participants, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "participants/people/list.html",
        {
            "form": form,
            "page": page,
            "rows": selectors_people.participant_rows(tenant=tenant, people=page.object_list),
            "query": params.urlencode(),
            "may_create": policy.can(request.user, Cap.PARTICIPANTS_CREATE, tenant),
        },
    )


def _page(queryset: Any, number: str | None) -> Any:
    """The page, its rows read into a list."""
    page = Paginator(queryset, PAGE_SIZE).get_page(number)
    page.object_list = list(page.object_list)
    return page


@require_http_methods(["GET", "POST"])
def participant_register(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.PARTICIPANTS_CREATE, tenant)
    form = RegisterForm(
        request.POST or None, tenant=tenant, gemeinden=gemeinden_in(tenant.territory)
    )
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            participant = services_people.participant_register(
                actor=request.user,
                tenant=tenant,
                data=form.person_data(),
                case_data=form.case_data(),
                consent_data=form.consent_data(),
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
            )
        except services_people.DuplicateFound as exc:
            duplicates = selectors_people.duplicate_rows(
                actor=request.user, candidates=exc.candidates
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The person was taken up and the case opened."))
            return _to_detail(participant)
    return render(
        request,
        "participants/people/register.html",
        {"form": form, "duplicates": duplicates},
    )


# --- the record --------------------------------------------------------------------------------


def participant_detail(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    if participant.merged_into_id is not None:
        kept = participant.merged_into
        assert kept is not None
        if policy.can(request.user, Cap.PARTICIPANT_EDIT, kept):
            messages.info(request, _("This record was merged into the one shown here."))
            return _to_detail(kept)
    sections = selectors_people.participant_sections(participant)
    writable = not (
        participant.restricted or participant.anonymised_at or participant.merged_into_id
    )
    return render(
        request,
        "participants/people/detail.html",
        {
            "participant": participant,
            **sections,
            "writable": writable,
            "eligibility": (
                selectors_people.eligibility_overview(
                    participant, statuses=sections["statuses"], benefits=sections["benefits"]
                )
                if participant.anonymised_at is None
                else []
            ),
            "duplicates": (
                selectors_people.duplicates_for(actor=request.user, participant=participant)
                if writable
                else []
            ),
            "consent_languages": CONSENT_FORM_LANGUAGES,
        },
    )


@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    tenant = _tenant(request)
    gemeinden = gemeinden_in(tenant.territory)
    conflict: list[dict[str, Any]] = []
    if request.method == "POST":
        form = ParticipantEditForm(request.POST, tenant=tenant, gemeinden=gemeinden)
        if form.is_valid():
            try:
                services_people.participant_update(
                    actor=request.user,
                    participant=participant,
                    data=form.record_data(),
                    version=form.cleaned_data.get("version"),
                )
            except ConflictError as exc:
                conflict = _conflict_rows(form, participant)
                form.add_error(None, str(exc))
                # the next save is a deliberate decision against the current state
                data = request.POST.copy()
                data["version"] = str(participant.version)
                form = _rebound(form, data, tenant, gemeinden, str(exc))
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The record was saved."))
                return _to_detail(participant)
    else:
        form = ParticipantEditForm(
            initial=ParticipantEditForm.initial_for(participant),
            tenant=tenant,
            gemeinden=gemeinden,
        )
    return render(
        request,
        "participants/people/edit.html",
        {"form": form, "participant": participant, "conflict": conflict},
    )


def _rebound(form: Any, data: Any, tenant: Any, gemeinden: Any, message: str) -> Any:
    rebound = ParticipantEditForm(data, tenant=tenant, gemeinden=gemeinden)
    rebound.is_valid()
    rebound.add_error(None, message)
    return rebound


def _conflict_rows(form: Any, participant: Participant) -> list[dict[str, Any]]:
    """Fields where the stored record now differs from what the person typed."""
    current = ParticipantEditForm.initial_for(participant)
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        mine = form.data.getlist(name) if hasattr(form.data, "getlist") else form.data.get(name)
        theirs = current.get(name)
        mine_value = mine if isinstance(theirs, list) else (mine[0] if mine else "")
        if _shown(mine_value) != _shown(theirs):
            rows.append(
                {"label": field.label, "mine": _shown(mine_value), "theirs": _shown(theirs)}
            )
    return rows


def _shown(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def participant_history(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    events = selectors_people.participant_history_for(actor=request.user, participant=participant)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/people/history.html",
        {
            "participant": participant,
            "page": page,
            "hide_values": participant.anonymised_at is not None,
        },
    )


# --- residence status and benefits -------------------------------------------------------------


def _history_form(
    request: HttpRequest,
    participant_id: Any,
    *,
    kind: str,
    entry_id: Any = None,
) -> HttpResponse:
    participant = _participant(request, participant_id)
    is_status = kind == "status"
    form_class: Any = StatusForm if is_status else BenefitForm
    entry: Any = None
    if entry_id is not None:
        getter = (
            selectors_people.status_entry_for if is_status else selectors_people.benefit_entry_for
        )
        entry = getter(participant, entry_id)
        if entry is None:
            raise Http404
    initial = None
    if entry is not None:
        initial = (
            StatusForm.initial_for(entry)
            if is_status
            else {
                "kind": entry.kind,
                "valid_from": entry.valid_from,
                "valid_until": entry.valid_until,
            }
        )
    form = form_class(request.POST or None, initial=initial, adding=entry is None)
    if request.method == "POST" and form.is_valid():
        data = form.entry_data()
        try:
            if is_status and entry is None:
                services_people.status_add(
                    actor=request.user,
                    participant=participant,
                    data=data,
                    end_previous=form.cleaned_data.get("end_previous", False),
                )
            elif is_status:
                services_people.status_update(
                    actor=request.user, participant=participant, entry=entry, data=data
                )
            elif entry is None:
                services_people.benefit_add(
                    actor=request.user,
                    participant=participant,
                    data=data,
                    end_previous=form.cleaned_data.get("end_previous", False),
                )
            else:
                services_people.benefit_update(
                    actor=request.user, participant=participant, entry=entry, data=data
                )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The history was saved."))
            return _to_detail(participant)
    return render(
        request,
        "participants/people/entry_form.html",
        {"form": form, "participant": participant, "entry": entry, "is_status": is_status},
    )


@require_http_methods(["GET", "POST"])
def status_add(request: HttpRequest, participant_id: Any) -> HttpResponse:
    return _history_form(request, participant_id, kind="status")


@require_http_methods(["GET", "POST"])
def status_edit(request: HttpRequest, participant_id: Any, entry_id: Any) -> HttpResponse:
    return _history_form(request, participant_id, kind="status", entry_id=entry_id)


@require_http_methods(["GET", "POST"])
def benefit_add(request: HttpRequest, participant_id: Any) -> HttpResponse:
    return _history_form(request, participant_id, kind="benefit")


@require_http_methods(["GET", "POST"])
def benefit_edit(request: HttpRequest, participant_id: Any, entry_id: Any) -> HttpResponse:
    return _history_form(request, participant_id, kind="benefit", entry_id=entry_id)


def _end_form(request: HttpRequest, participant_id: Any, entry_id: Any, kind: str) -> HttpResponse:
    participant = _participant(request, participant_id)
    is_status = kind == "status"
    getter: Any = (
        selectors_people.status_entry_for if is_status else selectors_people.benefit_entry_for
    )
    entry: Any = getter(participant, entry_id)
    if entry is None:
        raise Http404
    form = EndForm(request.POST or None, initial={"until": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        end: Any = services_people.status_end if is_status else services_people.benefit_end
        try:
            end(
                actor=request.user,
                participant=participant,
                entry=entry,
                until=form.cleaned_data["until"],
            )
        except DomainError as exc:
            errors = dict(getattr(exc, "errors", None) or {})
            if "valid_until" in errors:
                errors["until"] = errors.pop("valid_until")
            _apply_errors(form, services_people.ValidationFailed(errors) if errors else exc)
        else:
            messages.success(request, _("The entry was ended."))
            return _to_detail(participant)
    label = selectors_people.status_label(entry) if is_status else entry.get_kind_display()
    return render(
        request,
        "participants/people/entry_end.html",
        {"form": form, "participant": participant, "entry": entry, "label": label},
    )


@require_http_methods(["GET", "POST"])
def status_end(request: HttpRequest, participant_id: Any, entry_id: Any) -> HttpResponse:
    return _end_form(request, participant_id, entry_id, "status")


@require_http_methods(["GET", "POST"])
def benefit_end(request: HttpRequest, participant_id: Any, entry_id: Any) -> HttpResponse:
    return _end_form(request, participant_id, entry_id, "benefit")


@require_POST
def notice_read(request: HttpRequest, participant_id: Any, notice_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    notice = selectors_people.notice_for(participant, notice_id)
    if notice is None:
        raise Http404
    services_people.notice_mark_read(actor=request.user, notice=notice)
    return _to_detail(participant)


# --- consent -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    form = ConsentRecordForm(
        request.POST or None,
        providers=selectors_people.providers_for_consent(_tenant(request)),
        initial={"purpose": request.GET.get("zweck", "case_work")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_people.consent_record(
                actor=request.user, participant=participant, data=form.cleaned_data
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The consent was recorded."))
            return _to_detail(participant)
    return render(
        request, "participants/people/consent_form.html", {"form": form, "participant": participant}
    )


@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, participant_id: Any, consent_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    consent = selectors_people.consent_for(participant, consent_id)
    if consent is None:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_people.consent_withdraw(
                actor=request.user, consent=consent, on=form.cleaned_data["withdrawn_on"]
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The withdrawal was recorded."))
            return _to_detail(participant)
    return render(
        request,
        "participants/people/consent_withdraw.html",
        {"form": form, "participant": participant, "consent": consent},
    )


def _consent_print(
    request: HttpRequest, lang: str, participant: Participant | None
) -> HttpResponse:
    if lang not in dict(CONSENT_FORM_LANGUAGES):
        raise Http404
    return render(
        request,
        "participants/people/consent_print.html",
        {
            "participant": participant,
            "form_lang": lang,
            "rtl": lang == "ar",
            "languages": CONSENT_FORM_LANGUAGES,
            "controller": _tenant(request),
            "retention_years": settings.TEILHABE_RETENTION_YEARS,
            "text_template": f"participants/people/consent/_{lang}.html",
        },
    )


def consent_print(request: HttpRequest, participant_id: Any, lang: str) -> HttpResponse:
    """The printable consent form, filled in with the person's name."""
    return _consent_print(request, lang, _participant(request, participant_id))


def consent_blank(request: HttpRequest, lang: str) -> HttpResponse:
    """The printable consent form for a first conversation (before the person is recorded)."""
    policy.require(request.user, Cap.PARTICIPANTS_CREATE, _tenant(request))
    return _consent_print(request, lang, None)


# --- data-protection rights --------------------------------------------------------------------


def export_json(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    record = selectors_people.participant_record_for(
        actor=request.user, participant=participant, fmt="json"
    )
    response = HttpResponse(
        selectors_people.record_json(record), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = _attachment(participant, "json")
    return response


def export_pdf(request: HttpRequest, participant_id: Any) -> HttpResponse:
    from weasyprint import HTML

    participant = _participant(request, participant_id)
    record = selectors_people.participant_record_for(
        actor=request.user, participant=participant, fmt="pdf"
    )
    html = render_to_string(
        "participants/people/record_pdf.html",
        {
            "record": record,
            "participant": participant,
            "sections": selectors_people.record_sections(record),
            "hide_values": participant.anonymised_at is not None,
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(participant, "pdf")
    return response


def _attachment(participant: Participant, ext: str) -> str:
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return f'attachment; filename="auskunft-{participant.pseudonym}-{stamp}.{ext}"'


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"external resources are not loaded into PDFs: {url}")


@require_http_methods(["GET", "POST"])
def participant_erase(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_people.participant_anonymise(
                actor=request.user, participant=participant, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The record was anonymised."))
            return _to_detail(participant)
    return render(
        request, "participants/people/erase.html", {"form": form, "participant": participant}
    )


@require_http_methods(["GET", "POST"])
def participant_restrict(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    form = RestrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # the state the person saw on the page (a second click does not toggle back)
        restrict = request.POST.get("target", "on") == "on"
        try:
            services_people.participant_restrict(
                actor=request.user,
                participant=participant,
                restricted=restrict,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Processing is restricted now.")
                if restrict
                else _("The restriction was lifted."),
            )
            return _to_detail(participant)
    return render(
        request, "participants/people/restrict.html", {"form": form, "participant": participant}
    )


@require_http_methods(["GET", "POST"])
def participant_merge(request: HttpRequest, participant_id: Any, other_id: Any) -> HttpResponse:
    keep = _participant(request, participant_id)
    other = _participant(request, other_id)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_people.participant_merge(actor=request.user, keep=keep, other=other)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The records were merged."))
            return _to_detail(keep)
    return render(
        request,
        "participants/people/merge.html",
        {
            "form": form,
            "participant": keep,
            "keep": keep,
            "other": other,
            "keep_sections": selectors_people.participant_sections(keep),
            "other_sections": selectors_people.participant_sections(other),
        },
    )


# --- transfers ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def participant_transfer(request: HttpRequest, participant_id: Any) -> HttpResponse:
    participant = _participant(request, participant_id)
    form = TransferForm(
        request.POST or None,
        tenants=selectors_people.transfer_target_tenants(_tenant(request)),
    )
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to_tenant"]
        if target is None:
            form.add_error("to_tenant", _("This field is required."))
        else:
            try:
                services_people.transfer_create(
                    actor=request.user,
                    participant=participant,
                    to_tenant=target,
                    sections=form.cleaned_data["sections"],
                    confirmed=form.cleaned_data["confirmed"],
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The data were handed over to %(tenant)s; the case here is closed.")
                    % {"tenant": target.name},
                )
                return _to_detail(participant)
    return render(
        request,
        "participants/people/transfer.html",
        {
            "form": form,
            "participant": participant,
            "consent": selectors_people.case_work_consent(participant),
            "section_labels": SECTION_LABELS,
        },
    )


def transfer_list(request: HttpRequest) -> HttpResponse:
    transfers = selectors_people.transfers_incoming_for(actor=request.user, tenant=_tenant(request))
    page = Paginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participants/people/transfer_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def transfer_accept(request: HttpRequest, transfer_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    transfer = selectors_people.transfer_get_for(
        actor=request.user, tenant=tenant, public_id=transfer_id
    )
    if transfer is None or transfer.new_participant is None:
        raise Http404
    form = TransferAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_people.transfer_accept(
                actor=request.user,
                transfer=transfer,
                module=form.cleaned_data["module"],
                intake_date=form.cleaned_data["intake_date"],
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The person was taken up and the case opened."))
            return _to_detail(transfer.new_participant)
    return render(
        request,
        "participants/people/transfer_accept.html",
        {
            "form": form,
            "transfer": transfer,
            "person": transfer.new_participant,
            "section_labels": SECTION_LABELS,
        },
    )

"""Pages of the cases area (``/t/<tenant>/faelle/…``): the caseload dashboard, the case with
its status and team, the plan, contacts, education history, outcomes, contact exports and the
coordination's aggregate view.

Views parse input, read through ``selectors_cases`` (a case out of reach is a 404, audited)
and write through one service of ``services_cases``; they never query models themselves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record
from teilhabe.core.errors import ConflictError, DomainError
from teilhabe.core.exports import safe_cell

from . import selectors_cases as selectors
from . import services_cases as services
from .forms_cases import (
    CaseForm,
    CaseStatusForm,
    ContactForm,
    EpisodeForm,
    ExportForm,
    FollowUpForm,
    GoalForm,
    GoalReviewForm,
    TeamAddForm,
)
from .models import Case, Contact

CONTACT_PAGE_SIZE = 25
CASELOAD_PAGE_SIZE = 50


def _tenant(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


def _case(request: HttpRequest, case_id: Any) -> Case:
    case = selectors.case_get_for(actor=request.user, tenant=_tenant(request), public_id=case_id)
    if case is None:
        raise Http404
    return case


def _render(
    request: HttpRequest, template: str, case: Case, tab: str, context: dict[str, Any]
) -> HttpResponse:
    header = selectors.case_header(case)
    return render(
        request,
        f"participants/cases/{template}",
        {"case": case, "header": header, "tab": tab, **context},
    )


def _to_case(request: HttpRequest, case: Case, name: str = "case_detail") -> HttpResponse:
    return redirect(f"participants:{name}", _tenant(request).public_id, case.public_id)


# --- Caseload and aggregates ---------------------------------------------------------------------


@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    load = selectors.caseload_for(actor=request.user, tenant=_tenant(request))
    page = Paginator(load.cases, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/cases/caseload.html",
        {"load": load, "page": page, "today": timezone.localdate()},
    )


@require_GET
def casework_overview(request: HttpRequest) -> HttpResponse:
    overview = selectors.casework_overview(actor=request.user, tenant=_tenant(request))
    return render(request, "participants/cases/overview.html", {"overview": overview})


@require_POST
def notice_read(request: HttpRequest, notice_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    notice = selectors.notice_get_for(actor=request.user, tenant=tenant, public_id=notice_id)
    if notice is None:
        raise Http404
    services.notice_mark_read(actor=request.user, notice=notice)
    messages.success(request, _("The notice was marked as read."))
    return redirect("participants:caseload", tenant.public_id)


# --- The case ------------------------------------------------------------------------------------


@require_GET
def case_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    return _render(
        request,
        "case_detail.html",
        case,
        "detail",
        {
            "team": selectors.case_team(case),
            "transitions": selectors.allowed_transitions(case),
            "outcomes": selectors.case_outcomes(case),
            "hours": selectors.contact_hours(case),
        },
    )


def _refresh_version(form: Any, case: Case) -> None:
    """After a conflict: keep the person's input, but carry the current version, so that a
    second save (after checking the current state) goes through."""
    data = form.data.copy()
    data["version"] = str(case.version)
    form.data = data


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    tenant = _tenant(request)
    policy.require(request.user, Cap.CASE_MANAGE, case)
    candidates = selectors.case_worker_candidates(tenant)
    form = CaseForm(request.POST or None, case=case, candidates=candidates)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.CASE_FIELDS}
        try:
            services.case_update(
                actor=request.user, case=case, data=data, version=form.cleaned_data["version"]
            )
        except ConflictError as exc:
            conflict = True
            _refresh_version(form, case)
            form.add_error(None, str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The case was saved."))
            policy.forget(request.user)
            if not policy.can(request.user, Cap.CASE_MANAGE, case):
                return redirect("participants:caseload", tenant.public_id)
            return _to_case(request, case)
    return _render(request, "case_edit.html", case, "detail", {"form": form, "conflict": conflict})


@require_http_methods(["GET", "POST"])
def case_status(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    transitions = selectors.allowed_transitions(case)
    form = CaseStatusForm(request.POST or None, case=case, transitions=transitions)
    conflict = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_set_status(
                actor=request.user,
                case=case,
                status=d["status"],
                version=d["version"],
                closed_on=d["closed_on"],
                closing_reason=d["closing_reason"],
                outcome_kind=d["outcome_kind"],
                outcome_note=d["outcome_note"],
            )
        except ConflictError as exc:
            conflict = True
            _refresh_version(form, case)
            form.add_error(None, str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The case now has the status “%(status)s”.")
                % {"status": case.get_status_display()},
            )
            return _to_case(request, case)
    return _render(
        request, "case_status.html", case, "detail", {"form": form, "conflict": conflict}
    )


@require_http_methods(["GET", "POST"])
def case_team(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    tenant = _tenant(request)
    team = selectors.case_team(case)
    taken = {case.responsible_id, *(u.pk for u in team)}
    candidates = [u for u in selectors.case_worker_candidates(tenant) if u.pk not in taken]
    form = TeamAddForm(
        request.POST if request.POST.get("action") == "add" else None, candidates=candidates
    )
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                member = next(
                    (u for u in team if str(u.public_id) == request.POST.get("user")), None
                )
                if member is None:
                    raise DomainError(_("This person is not on the team."))
                services.case_team_remove(actor=request.user, case=case, user=member)
                messages.success(request, _("The team was changed."))
                policy.forget(request.user)
                if not policy.can(request.user, Cap.CASE_MANAGE, case):
                    return redirect("participants:caseload", tenant.public_id)
                return _to_case(request, case, "case_team")
            if form.is_valid():
                services.case_team_add(
                    actor=request.user, case=case, user=form.cleaned_data["user"]
                )
                messages.success(request, _("The team was changed."))
                return _to_case(request, case, "case_team")
        except DomainError as exc:
            error = str(exc)
    return _render(
        request,
        "case_team.html",
        case,
        "detail",
        {"team": team, "form": form, "error": error},
    )


# --- The plan ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_plan(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    form = GoalForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(actor=request.user, case=case, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The goal was added to the plan."))
            return _to_case(request, case, "case_plan")
    return _render(
        request,
        "case_plan.html",
        case,
        "plan",
        {"goals": selectors.goals_of(case), "form": form},
    )


@require_http_methods(["GET", "POST"])
def goal_detail(request: HttpRequest, case_id: Any, goal_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    goal = selectors.goal_get(case, goal_id)
    if goal is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    form = GoalForm(request.POST if action == "edit" else None, instance=goal, case=case)
    review = GoalReviewForm(
        request.POST if action == "review" else None, case=case, goal=goal, prefix="review"
    )
    try:
        if action == "edit" and form.is_valid():
            services.goal_update(actor=request.user, case=case, goal=goal, data=form.cleaned_data)
            messages.success(request, _("The goal was saved."))
            return _to_case(request, case, "case_plan")
        if action == "review" and review.is_valid():
            d = review.cleaned_data
            services.goal_review_add(
                actor=request.user,
                case=case,
                goal=goal,
                reviewed_on=d["reviewed_on"],
                note=d["note"],
                status_after=d["status_after"],
            )
            messages.success(request, _("The review was recorded."))
            return _to_case(request, case, "case_plan")
    except DomainError as exc:
        (form if action == "edit" else review).add_error(None, str(exc))
    goal_with_reviews = next((g for g in selectors.goals_of(case) if g.pk == goal.pk), goal)
    return _render(
        request,
        "goal_detail.html",
        case,
        "plan",
        {"goal": goal_with_reviews, "form": form, "review": review},
    )


# --- Contacts ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_contacts(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    form = ContactForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(actor=request.user, case=case, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The contact was recorded."))
            return _to_case(request, case, "case_contacts")
    page = Paginator(selectors.contacts_of(case), CONTACT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "case_contacts.html",
        case,
        "contacts",
        {"form": form, "page": page, "hours": selectors.contact_hours(case)},
    )


def _export_headers() -> list[str]:
    return [
        _("Participant"),
        _("Funding module"),
        _("Date"),
        _("Duration (minutes)"),
        _("Hours"),
        _("Kind"),
        _("Topic"),
        _("Proof of contact"),
        _("Confirmed by"),
        _("Staff member"),
    ]


def _export_row(contact: Contact) -> list[Any]:
    participant = contact.case.participant
    staff = contact.staff
    return [
        safe_cell(f"{participant.last_name}, {participant.first_name}"),
        safe_cell(contact.case.get_module_display()),
        contact.happened_on,
        contact.minutes,
        float(selectors.hours(contact.minutes)),
        safe_cell(contact.get_kind_display()),
        safe_cell(contact.topic),
        safe_cell(contact.get_proof_display()),
        safe_cell(contact.proof_by),
        safe_cell(staff.get_full_name() or staff.get_username()),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(contacts: Iterable[Contact]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(_export_headers())
    for contact in contacts:
        row = _export_row(contact)
        row[2] = row[2].strftime("%d.%m.%Y")
        row[4] = f"{row[4]:.2f}".replace(".", ",")
        yield writer.writerow(row)


def _xlsx(contacts: Iterable[Contact]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Contacts")[:31])
    bold = Font(bold=True)
    header = []
    for title in _export_headers():
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for contact in contacts:
        row = _export_row(contact)
        day = WriteOnlyCell(ws, value=row[2])
        day.number_format = "DD.MM.YYYY"
        row[2] = day
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _export_response(contacts: Any, fmt: str, stem: str) -> HttpResponseBase:
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    rows = contacts.iterator(chunk_size=2000)
    if fmt == "csv":
        stream = StreamingHttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
        stream["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.csv"'
        return stream
    response = HttpResponse(
        _xlsx(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.xlsx"'
    return response


@require_GET
def case_contacts_export(request: HttpRequest, case_id: Any) -> HttpResponseBase:
    case = _case(request, case_id)
    tenant = _tenant(request)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    contacts = selectors.contacts_for_export(actor=request.user, tenant=tenant, case=case)
    audit_record(
        actor=request.user,
        action="contact.export",
        obj=case.participant,
        tenant=tenant,
        details={"case": str(case.public_id), "format": fmt},
    )
    return _export_response(contacts, fmt, "kontakte")


@require_GET
def contacts_export(request: HttpRequest) -> HttpResponseBase:
    """All contacts of the case worker's cases in a period (for the Verwendungsnachweis)."""
    tenant = _tenant(request)
    policy.require(request.user, Cap.CASE_MANAGE, tenant)
    form = ExportForm(request.GET if "format" in request.GET else None)
    if not form.is_valid():
        return render(request, "participants/cases/export.html", {"form": form})
    d = form.cleaned_data
    start: date | None = d["start"]
    end: date | None = d["end"]
    fmt = d["format"] or "xlsx"
    contacts = selectors.contacts_for_export(
        actor=request.user, tenant=tenant, start=start, end=end
    )
    audit_record(
        actor=request.user,
        action="contact.export",
        tenant=tenant,
        details={"start": start, "end": end, "format": fmt},
    )
    return _export_response(contacts, fmt, "kontakte-alle-faelle")


# --- Education history ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_education(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    form = EpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_create(actor=request.user, case=case, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The episode was added to the education history."))
            return _to_case(request, case, "case_education")
    return _render(
        request,
        "case_education.html",
        case,
        "education",
        {"episodes": selectors.episodes_of(case.participant), "form": form},
    )


@require_http_methods(["GET", "POST"])
def episode_edit(request: HttpRequest, case_id: Any, episode_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    episode = selectors.episode_get(case, episode_id)
    if episode is None:
        raise Http404
    form = EpisodeForm(request.POST or None, instance=episode)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_update(
                actor=request.user, case=case, episode=episode, data=form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The episode was saved."))
            return _to_case(request, case, "case_education")
    return _render(
        request, "episode_edit.html", case, "education", {"form": form, "episode": episode}
    )


# --- Outcomes ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_outcomes(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = _case(request, case_id)
    moments = selectors.open_follow_up_moments(case)
    form = FollowUpForm(request.POST or None, case=case, moments=moments)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.outcome_record(
                actor=request.user,
                case=case,
                moment=d["moment"],
                kind=d["kind"],
                recorded_on=d["recorded_on"],
                note=d["note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The follow-up was recorded."))
            return _to_case(request, case, "case_outcomes")
    due = (
        {m: selectors.follow_up_due(case.closed_on, m) for m in selectors.FOLLOW_UPS}
        if case.closed_on
        else {}
    )
    return _render(
        request,
        "case_outcomes.html",
        case,
        "outcomes",
        {
            "outcomes": selectors.case_outcomes(case),
            "form": form,
            "moments": moments,
            "due_dates": sorted(due.items(), key=lambda item: item[1]),
        },
    )

"""Pages of the alliance (``/t/<tenant>/buendnis/…``).

Views parse input, read through ``selectors`` (another tenant's object is a 404) and write
through one service; German messages of the services are shown at the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import ConflictError, DomainError

from . import calendar, links, selectors, services
from .documents import meeting_document_attach, meeting_document_delete, meeting_document_open
from .forms import (
    AgendaItemForm,
    AmendForm,
    ApproveForm,
    AttendanceForm,
    AttendeesAddForm,
    DecisionFilterForm,
    DecisionForm,
    DecisionStatusForm,
    DocumentForm,
    GroupForm,
    GroupMemberForm,
    InviteForm,
    MeetingFilterForm,
    MeetingForm,
    MemberForm,
    MembershipEndForm,
    MinutesForm,
    OrganisationForm,
    TaskFilterForm,
    TaskForm,
    TaskUpdateForm,
)
from .models import Meeting, MeetingKind

PAGE_SIZE = 50


def _tenant(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


def _get(selector: Callable[..., Any], request: HttpRequest, public_id: Any, **kw: Any) -> Any:
    obj = selector(actor=request.user, tenant=_tenant(request), public_id=public_id, **kw)
    if obj is None:
        raise Http404
    return obj


def _manage(request: HttpRequest) -> None:
    policy.require(request.user, Cap.ALLIANCE_MANAGE, _tenant(request))


def _form_page(request: HttpRequest, form: Any, **context: Any) -> HttpResponse:
    return render(request, "alliance/form.html", {"form": form, **context})


def _url(name: str, request: HttpRequest, *args: Any) -> str:
    return reverse(f"alliance:{name}", args=[_tenant(request).public_id, *args])


# --- overview ----------------------------------------------------------------------------------


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    summary = selectors.alliance_summary(actor=request.user, tenant=_tenant(request))
    return render(request, "alliance/overview.html", {"summary": summary})


# --- organisations and people ------------------------------------------------------------------


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    orgs = selectors.organisation_list_for(actor=request.user, tenant=_tenant(request))
    return render(request, "alliance/organisation_list.html", {"organisations": orgs})


@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_save(
                actor=request.user, tenant=_tenant(request), data=form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The organisation was added."))
            return redirect(_url("organisation_detail", request, org.public_id))
    return _form_page(
        request,
        form,
        heading=_("Add an organisation"),
        cancel_url=_url("organisation_list", request),
    )


@require_GET
def organisation_detail(request: HttpRequest, org_id: Any) -> HttpResponse:
    org = _get(selectors.organisation_get_for, request, org_id)
    tasks = selectors.task_list_for(actor=request.user, tenant=_tenant(request), organisation=org)
    return render(
        request,
        "alliance/organisation_detail.html",
        {
            "org": org,
            "members": org.members.order_by("-is_active", "is_deputy", "last_name"),
            "tasks": tasks,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, org_id: Any) -> HttpResponse:
    _manage(request)
    org = _get(selectors.organisation_get_for, request, org_id)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_save(
                actor=request.user,
                tenant=_tenant(request),
                data=form.cleaned_data,
                organisation=selectors.organisation_get_for(
                    actor=request.user, tenant=_tenant(request), public_id=org_id
                ),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The organisation was saved."))
            return redirect(_url("organisation_detail", request, org.public_id))
    return _form_page(
        request,
        form,
        heading=_("Edit organisation"),
        cancel_url=_url("organisation_detail", request, org.public_id),
    )


@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, org_id: Any) -> HttpResponse:
    _manage(request)
    org = _get(selectors.organisation_get_for, request, org_id)
    form = MemberForm(request.POST or None, tenant=_tenant(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_save(actor=request.user, organisation=org, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The person was added."))
            return redirect(_url("organisation_detail", request, org.public_id))
    return _form_page(
        request,
        form,
        heading=_("Add a person to %(org)s") % {"org": org.name},
        cancel_url=_url("organisation_detail", request, org.public_id),
    )


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, member_id: Any) -> HttpResponse:
    _manage(request)
    member = _get(selectors.member_get_for, request, member_id)
    form = MemberForm(request.POST or None, instance=member, tenant=_tenant(request))
    if request.method == "POST" and form.is_valid():
        fresh = selectors.member_get_for(
            actor=request.user, tenant=_tenant(request), public_id=member_id
        )
        try:
            services.member_save(
                actor=request.user,
                organisation=member.organisation,
                data=form.cleaned_data,
                member=fresh,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            policy.forget(request.user)
            messages.success(request, _("The person was saved."))
            return redirect(_url("organisation_detail", request, member.organisation.public_id))
    return _form_page(
        request,
        form,
        heading=_("Edit %(name)s") % {"name": member.full_name},
        cancel_url=_url("organisation_detail", request, member.organisation.public_id),
    )


# --- bodies ------------------------------------------------------------------------------------


@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.group_list_for(actor=request.user, tenant=_tenant(request))
    return render(request, "alliance/group_list.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    form = GroupForm(request.POST or None, tenant=_tenant(request))
    if request.method == "POST" and form.is_valid():
        group = services.group_save(
            actor=request.user, tenant=_tenant(request), data=form.cleaned_data
        )
        messages.success(request, _("The body was created."))
        return redirect(_url("group_detail", request, group.public_id))
    return _form_page(
        request, form, heading=_("Create a body"), cancel_url=_url("group_list", request)
    )


@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, group_id: Any) -> HttpResponse:
    group = _get(selectors.group_get_for, request, group_id)
    may_manage = policy.can(request.user, Cap.ALLIANCE_MANAGE, _tenant(request))
    form = GroupMemberForm(request.POST or None, tenant=_tenant(request)) if may_manage else None
    if request.method == "POST":
        _manage(request)
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.group_member_add(
                    actor=request.user,
                    group=group,
                    member=d["member"],
                    role=d["role"],
                    started_on=d["started_on"],
                )
            except DomainError as exc:
                form.add_error("member", str(exc))
            else:
                messages.success(request, _("The person was added to the body."))
                return redirect(_url("group_detail", request, group.public_id))
    memberships = list(selectors.group_memberships(group))
    return render(
        request,
        "alliance/group_detail.html",
        {
            "group": group,
            "current": [m for m in memberships if m.ended_on is None],
            "former": [m for m in memberships if m.ended_on is not None],
            "form": form,
            "meetings": selectors.meeting_list_for(
                actor=request.user, tenant=_tenant(request), group=group
            )[:20],
        },
    )


@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, group_id: Any) -> HttpResponse:
    _manage(request)
    group = _get(selectors.group_get_for, request, group_id)
    form = GroupForm(request.POST or None, instance=group, tenant=_tenant(request))
    if request.method == "POST" and form.is_valid():
        fresh = selectors.group_get_for(
            actor=request.user, tenant=_tenant(request), public_id=group_id
        )
        services.group_save(
            actor=request.user, tenant=_tenant(request), data=form.cleaned_data, group=fresh
        )
        messages.success(request, _("The body was saved."))
        return redirect(_url("group_detail", request, group.public_id))
    return _form_page(
        request,
        form,
        heading=_("Edit %(name)s") % {"name": group.name},
        cancel_url=_url("group_detail", request, group.public_id),
    )


@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, group_id: Any, membership_id: Any) -> HttpResponse:
    _manage(request)
    group = _get(selectors.group_get_for, request, group_id)
    membership = selectors.membership_get_for(
        actor=request.user, group=group, public_id=membership_id
    )
    if membership is None:
        raise Http404
    form = MembershipEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.group_member_end(
                actor=request.user, membership=membership, ended_on=form.cleaned_data["ended_on"]
            )
        except DomainError as exc:
            form.add_error("ended_on", str(exc))
        else:
            messages.success(request, _("The membership was ended; it stays in the history."))
            return redirect(_url("group_detail", request, group.public_id))
    return _form_page(
        request,
        form,
        heading=_("End the membership of %(name)s in %(group)s")
        % {"name": membership.member.full_name, "group": group.name},
        cancel_url=_url("group_detail", request, group.public_id),
        submit_label=_("End membership"),
    )


# --- meetings ----------------------------------------------------------------------------------


def _meeting(request: HttpRequest, meeting_id: Any) -> Meeting:
    meeting: Meeting = _get(selectors.meeting_get_for, request, meeting_id)
    return meeting


def _to_meeting(request: HttpRequest, meeting: Meeting, anchor: str = "") -> HttpResponse:
    url = _url("meeting_detail", request, meeting.public_id)
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None)
    when = kind = ""
    if form.is_valid():
        when, kind = form.cleaned_data["when"], form.cleaned_data["kind"]
    meetings = selectors.meeting_list_for(
        actor=request.user, tenant=_tenant(request), when=when, kind=kind
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alliance/meeting_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    tenant = _tenant(request)
    form = MeetingForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                actor=request.user, tenant=tenant, data=form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting was scheduled."))
            return _to_meeting(request, meeting)
    return _form_page(
        request,
        form,
        heading=_("Schedule a meeting"),
        cancel_url=_url("meeting_list", request),
    )


@require_GET
def meeting_detail(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    tenant = _tenant(request)
    may_manage = policy.can(request.user, Cap.ALLIANCE_MANAGE, tenant)
    return render(
        request,
        "alliance/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": selectors.meeting_agenda(meeting),
            "attendees": selectors.meeting_attendees(meeting),
            "decisions": meeting.decisions.order_by("number"),
            "documents": meeting.documents.filter(agenda_item__isnull=True).order_by("pk"),
            "versions": meeting.minutes_versions.select_related("approved_in", "approved_by"),
            "approved_here": meeting.approved_minutes.select_related("meeting"),
            "may_manage": may_manage,
            "document_form": DocumentForm(meeting=meeting) if may_manage else None,
            "is_participation": meeting.kind == MeetingKind.PARTICIPATION,
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    _manage(request)
    meeting = _meeting(request, meeting_id)
    form = MeetingForm(request.POST or None, tenant=_tenant(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=request.user,
                meeting=_meeting(request, meeting_id),
                data=form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting was saved."))
            return _to_meeting(request, meeting)
    return _form_page(
        request,
        form,
        heading=_("Edit meeting"),
        cancel_url=_url("meeting_detail", request, meeting.public_id),
    )


@require_http_methods(["GET", "POST"])
def meeting_invitations(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    """The invitation list (add people) and sending the invitations."""
    _manage(request)
    tenant = _tenant(request)
    meeting = _meeting(request, meeting_id)
    add_form = AttendeesAddForm(
        request.POST if request.POST.get("action") == "add" else None,
        tenant=tenant,
        meeting=meeting,
    )
    invite_form = InviteForm(request.POST if request.POST.get("action") == "send" else None)
    if request.method == "POST":
        if request.POST.get("action") == "add" and add_form.is_valid():
            n = services.attendees_add(
                actor=request.user, meeting=meeting, members=add_form.cleaned_data["members"]
            )
            messages.success(request, _("%(n)s people were added to the list.") % {"n": n})
            return redirect(_url("meeting_invitations", request, meeting.public_id))
        if request.POST.get("action") == "send" and invite_form.is_valid():
            try:
                n = services.meeting_invite(
                    actor=request.user,
                    meeting=meeting,
                    message=invite_form.cleaned_data["message"],
                    only_new=invite_form.cleaned_data["only_new"],
                )
            except DomainError as exc:
                invite_form.add_error(None, str(exc))
            else:
                messages.success(request, _("The invitation was sent to %(n)s people.") % {"n": n})
                return _to_meeting(request, meeting)
    return render(
        request,
        "alliance/meeting_invitations.html",
        {
            "meeting": meeting,
            "attendees": selectors.meeting_attendees(meeting),
            "add_form": add_form,
            "invite_form": invite_form,
        },
    )


@require_POST
def attendee_remove(request: HttpRequest, meeting_id: Any, attendee_id: Any) -> HttpResponse:
    _manage(request)
    meeting = _meeting(request, meeting_id)
    attendee = meeting.attendees.filter(public_id=attendee_id).select_related("member").first()
    if attendee is None:
        raise Http404
    services.attendee_remove(actor=request.user, attendee=attendee)
    messages.success(request, _("The person was taken off the invitation list."))
    return redirect(_url("meeting_invitations", request, meeting.public_id))


@require_GET
def meeting_ics(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    response = HttpResponse(calendar.meeting_ics(meeting), content_type="text/calendar")
    response["Content-Disposition"] = (
        f'attachment; filename="sitzung-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.ics"'
    )
    return response


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    _manage(request)
    tenant = _tenant(request)
    meeting = _meeting(request, meeting_id)
    attendees = list(selectors.meeting_attendees(meeting))
    form = AttendanceForm(request.POST or None, tenant=tenant, attendees=attendees)
    if request.method == "POST" and form.is_valid():
        rows = {a.pk: (form.cleaned_data[att], form.cleaned_data[rep]) for a, att, rep in form.rows}
        try:
            services.attendance_record(actor=request.user, meeting=meeting, rows=rows)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The attendance was saved."))
            return _to_meeting(request, meeting, "attendance")
    return render(request, "alliance/meeting_attendance.html", {"meeting": meeting, "form": form})


@require_http_methods(["GET", "POST"])
def agenda_item_create(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    _manage(request)
    tenant = _tenant(request)
    meeting = _meeting(request, meeting_id)
    form = AgendaItemForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(actor=request.user, meeting=meeting, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The agenda item was added."))
            return _to_meeting(request, meeting, "agenda")
    return _form_page(
        request,
        form,
        heading=_("Add an agenda item"),
        cancel_url=_url("meeting_detail", request, meeting.public_id),
        context_line=str(meeting),
    )


@require_http_methods(["GET", "POST"])
def agenda_item_edit(request: HttpRequest, meeting_id: Any, item_id: Any) -> HttpResponse:
    _manage(request)
    tenant = _tenant(request)
    meeting = _meeting(request, meeting_id)
    item = selectors.agenda_item_get_for(actor=request.user, meeting=meeting, public_id=item_id)
    if item is None:
        raise Http404
    form = AgendaItemForm(request.POST or None, tenant=tenant, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(actor=request.user, item=item, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The agenda item was saved."))
            return _to_meeting(request, meeting, "agenda")
    return _form_page(
        request,
        form,
        heading=_("Edit agenda item %(n)s") % {"n": item.position},
        cancel_url=_url("meeting_detail", request, meeting.public_id),
        context_line=str(meeting),
    )


@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    """Write the minutes: general notes and one text per agenda item."""
    _manage(request)
    meeting = _meeting(request, meeting_id)
    items = list(meeting.agenda_items.order_by("position"))
    form = MinutesForm(request.POST or None, meeting=meeting, items=items)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(
                actor=request.user,
                meeting=meeting,
                notes=form.cleaned_data["notes"],
                items=form.item_texts(),
                revision=form.cleaned_data["revision"],
            )
        except ConflictError as exc:
            conflict = True
            meeting.refresh_from_db()
            data = request.POST.copy()
            data["revision"] = str(meeting.minutes_revision)
            form.data = data
            form.add_error(None, str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The minutes were saved."))
            return _to_meeting(request, meeting, "agenda")
    return render(
        request,
        "alliance/meeting_minutes.html",
        {"meeting": meeting, "form": form, "conflict": conflict, "items": items},
    )


@require_http_methods(["GET", "POST"])
def minutes_approve(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    _manage(request)
    meeting = _meeting(request, meeting_id)
    form = ApproveForm(request.POST or None, later=selectors.later_meetings(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.minutes_approve(
                actor=request.user, meeting=meeting, approved_in=form.cleaned_data["approved_in"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Version %(n)s of the minutes was approved.") % {"n": version.number}
            )
            return _to_meeting(request, meeting, "minutes")
    return _form_page(
        request,
        form,
        heading=_("Approve the minutes"),
        intro=_(
            "Once approved, the minutes can no longer be edited. Corrections are made as an "
            "amendment, which becomes a new version."
        ),
        context_line=str(meeting),
        cancel_url=_url("meeting_detail", request, meeting.public_id),
        submit_label=_("Approve minutes"),
    )


@require_http_methods(["GET", "POST"])
def minutes_amend(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    _manage(request)
    meeting = _meeting(request, meeting_id)
    form = AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.minutes_amend(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Version %(n)s of the minutes was opened; the approved version is kept.")
                % {"n": meeting.minutes_version},
            )
            return redirect(_url("meeting_minutes", request, meeting.public_id))
    return _form_page(
        request,
        form,
        heading=_("Amend approved minutes"),
        context_line=str(meeting),
        cancel_url=_url("meeting_detail", request, meeting.public_id),
        submit_label=_("Open an amendment"),
    )


@require_GET
def minutes_pdf(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    from weasyprint import HTML

    meeting = _meeting(request, meeting_id)
    html = render_to_string(
        "alliance/minutes_pdf.html",
        {
            "meeting": meeting,
            "agenda": selectors.meeting_agenda(meeting),
            "attendees": selectors.meeting_attendees(meeting),
            "decisions": meeting.decisions.order_by("number"),
            "version": meeting.minutes_versions.filter(number=meeting.minutes_version)
            .select_related("approved_in")
            .first(),
            "tenant": _tenant(request),
            "printed": timezone.localtime(),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="protokoll-{stamp}.pdf"'
    return response


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"external resources are not loaded into PDFs: {url}")


@require_POST
def document_upload(request: HttpRequest, meeting_id: Any) -> HttpResponse:
    _manage(request)
    meeting = _meeting(request, meeting_id)
    form = DocumentForm(request.POST, request.FILES, meeting=meeting)
    if form.is_valid():
        try:
            meeting_document_attach(
                actor=request.user,
                meeting=meeting,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                agenda_item=form.cleaned_data["agenda_item"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The document was attached."))
    else:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("The document was not attached: %(e)s") % {"e": errors})
    return _to_meeting(request, meeting, "documents")


@require_GET
def document_download(request: HttpRequest, document_id: Any) -> HttpResponseBase:
    document = _get(selectors.document_get_for, request, document_id)
    try:
        handle, filename = meeting_document_open(actor=request.user, document=document)
    except DomainError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, document_id: Any) -> HttpResponse:
    _manage(request)
    document = _get(selectors.document_get_for, request, document_id)
    if request.method == "POST":
        meeting = document.meeting
        meeting_document_delete(actor=request.user, document=document)
        messages.success(request, _("The document was deleted."))
        return _to_meeting(request, meeting, "documents")
    return render(request, "alliance/document_delete.html", {"document": document})


# --- decisions ---------------------------------------------------------------------------------


@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = DecisionFilterForm(
        request.GET or None, years=sorted(set(selectors.decision_years(tenant)), reverse=True)
    )
    q, year, status = "", None, ""
    if form.is_valid():
        q = form.cleaned_data["q"]
        year = form.cleaned_data["year"]
        status = form.cleaned_data["status"]
    decisions = selectors.decision_list_for(
        actor=request.user, tenant=tenant, q=q, year=year, status=status
    )
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alliance/decision_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    tenant = _tenant(request)
    initial: dict[str, Any] = {}
    item_id = request.GET.get("top")
    if item_id:
        item = _safe_item(request, item_id)
        if item is not None:
            initial = {"agenda_item": item.pk, "decided_on": item.meeting.starts_at.date()}
            initial.update(links.initial(item))
    form = DecisionForm(request.POST or None, tenant=tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_record(
                actor=request.user, tenant=tenant, data=form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Decision %(ref)s was recorded.") % {"ref": decision.reference}
            )
            return redirect(_url("decision_detail", request, decision.public_id))
    return _form_page(
        request,
        form,
        heading=_("Record a decision"),
        intro=_("The decision gets the next number of its year."),
        cancel_url=_url("decision_list", request),
    )


def _safe_item(request: HttpRequest, item_id: str) -> Any:
    try:
        return selectors.agenda_item_get_in_tenant(
            actor=request.user, tenant=_tenant(request), public_id=item_id
        )
    except Exception:  # a malformed id is simply ignored
        return None


@require_http_methods(["GET", "POST"])
def decision_detail(request: HttpRequest, decision_id: Any) -> HttpResponse:
    decision = _get(selectors.decision_get_for, request, decision_id)
    may_manage = policy.can(request.user, Cap.ALLIANCE_MANAGE, _tenant(request))
    form = None
    if may_manage:
        form = DecisionStatusForm(
            request.POST or None,
            initial={"status": decision.status, "status_note": decision.status_note},
        )
    if request.method == "POST":
        _manage(request)
        assert form is not None
        if form.is_valid():
            services.decision_set_status(
                actor=request.user,
                decision=decision,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["status_note"],
            )
            messages.success(request, _("The decision was saved."))
            return redirect(_url("decision_detail", request, decision.public_id))
    return render(
        request,
        "alliance/decision_detail.html",
        {
            "decision": decision,
            "tasks": decision.tasks.select_related("organisation", "responsible"),
            "form": form,
            "today": timezone.localdate(),
        },
    )


# --- tasks -------------------------------------------------------------------------------------


@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = TaskFilterForm(request.GET or None, tenant=tenant)
    org, status, overdue = None, "open", False
    if form.is_bound and form.is_valid():
        org = form.cleaned_data["organisation"]
        status = form.cleaned_data["status"]
        overdue = form.cleaned_data["overdue"]
    elif not form.is_bound:
        form = TaskFilterForm(initial={"status": "open"}, tenant=tenant)
    tasks = selectors.task_list_for(
        actor=request.user, tenant=tenant, organisation=org, status=status, overdue=overdue
    )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alliance/task_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "organisation": org,
        },
    )


@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    tenant = _tenant(request)
    initial: dict[str, Any] = {}
    if request.GET.get("beschluss"):
        try:
            decision = selectors.decision_get_for(
                actor=request.user, tenant=tenant, public_id=request.GET["beschluss"]
            )
        except Exception:
            decision = None
        if decision is not None:
            initial = {"decision": decision.pk, "agenda_item": decision.agenda_item_id}
            initial.update(links.initial(decision))
    elif request.GET.get("top"):
        item = _safe_item(request, request.GET["top"])
        if item is not None:
            initial = {"agenda_item": item.pk, **links.initial(item)}
    form = TaskForm(request.POST or None, tenant=tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=request.user, tenant=tenant, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The task was created."))
            return redirect(_url("task_detail", request, task.public_id))
    return _form_page(
        request, form, heading=_("Create a task"), cancel_url=_url("task_list", request)
    )


@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: Any) -> HttpResponse:
    task = _get(selectors.task_get_for, request, task_id)
    tenant = _tenant(request)
    may_update = policy.can(request.user, Cap.ALLIANCE_TASK_UPDATE, task)
    may_manage = policy.can(request.user, Cap.ALLIANCE_MANAGE, tenant)
    form = None
    if may_update:
        form = TaskUpdateForm(request.POST or None, task=task, may_reschedule=may_manage)
    if request.method == "POST":
        policy.require(request.user, Cap.ALLIANCE_TASK_UPDATE, task)
        assert form is not None
        if form.is_valid():
            try:
                services.task_update(
                    actor=request.user,
                    task=task,
                    status=form.cleaned_data["status"],
                    comment=form.cleaned_data["comment"],
                    due_on=form.cleaned_data.get("due_on"),
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The task was saved."))
                return redirect(_url("task_detail", request, task.public_id))
    return render(
        request,
        "alliance/task_detail.html",
        {
            "task": task,
            "comments": selectors.task_comments(task),
            "form": form,
            "today": timezone.localdate(),
        },
    )


# --- calendar feed -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def feed_manage(request: HttpRequest) -> HttpResponse:
    _manage(request)
    tenant = _tenant(request)
    new_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.feed_revoke(actor=request.user, tenant=tenant):
                messages.success(request, _("The calendar address was revoked."))
            return redirect(_url("feed_manage", request))
        token = services.feed_create(actor=request.user, tenant=tenant)
        new_url = request.build_absolute_uri(
            reverse("alliance:calendar_feed", args=[tenant.public_id, token])
        )
    return render(
        request,
        "alliance/feed_manage.html",
        {"feed": selectors.feed_active(tenant), "new_url": new_url},
    )


@require_GET
def calendar_feed(request: HttpRequest, feed_tenant: Any, token: str) -> HttpResponse:
    """The tenant's meetings for calendar clients; the secret token is the only key."""
    feed = services.feed_lookup(feed_tenant, token)
    if feed is None:
        raise Http404
    since = timezone.now() - dt.timedelta(days=400)
    body = calendar.feed_ics(feed.tenant, selectors.feed_meetings(feed.tenant, since=since))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="buendnis.ics"'
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response

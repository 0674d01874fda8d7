"""Pages of the needs area (``/t/<tenant>/bedarfe/…``).

Views parse input, read through ``selectors`` and write through one service; they never query
models themselves.  Aggregated figures of people are coarsened ("< 5") in the templates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import ConflictError, DomainError

from . import imports, report, selectors, services
from .chart import line_chart
from .forms import EstimateForm, FiguresForm, FiguresImportForm, GapForm, MeasureForm, SurveyForm
from .models import Gap, GapStatus, PlannedMeasure
from .standard import AgeBand, SexCode, StatusGroup

DIMENSION_LABELS = {
    "status": pgettext_lazy("needs", "Status group"),
    "age": pgettext_lazy("needs", "Age band"),
    "sex": pgettext_lazy("needs", "Sex"),
    "gemeinde": pgettext_lazy("needs", "Municipality"),
}


def _tenant(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _on(request: HttpRequest) -> date:
    """The Stichtag of the page: ``?stichtag=`` (not in the future), else today (the
    target-group row then shows the latest recorded figures)."""
    today = timezone.localdate()
    on = _parse_date(request.GET.get("stichtag"))
    if on is not None and on > today:
        messages.warning(
            request, _("The reference date lies in the future; the matrix shows today instead.")
        )
        return today
    return on or today


def _gemeinde(request: HttpRequest) -> Any:
    ags = request.GET.get("gemeinde") or ""
    if not ags:
        return None
    for g in selectors.gemeinden_of(_tenant(request)):
        if g.ags == ags:
            return g
    raise Http404


def _dimension(request: HttpRequest) -> str:
    dim = request.GET.get("dim") or "status"
    return dim if dim in selectors.DIMENSIONS else "status"


def _column(dimension: str, raw: str, tenant: Any) -> Any:
    """The column key from the URL (a Gemeinde by its AGS)."""
    if dimension == "gemeinde":
        if raw == selectors.OUTSIDE:
            return raw
        for g in selectors.gemeinden_of(tenant):
            if g.ags == raw:
                return g.pk
        raise Http404
    valid = {
        "status": StatusGroup.values,
        "age": [*AgeBand.values, selectors.OUTSIDE],
        "sex": SexCode.values,
    }[dimension]
    if raw not in valid:
        raise Http404
    return raw


def _column_param(dimension: str, key: Any, tenant: Any) -> str:
    if dimension == "gemeinde" and key != selectors.OUTSIDE:
        for g in selectors.gemeinden_of(tenant):
            if g.pk == key:
                return str(g.ags)
    return str(key)


def _category(code: str | None) -> Any:
    for c in selectors.categories():
        if c.code == code:
            return c
    raise Http404


# --- overview -----------------------------------------------------------------------------------


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    snapshots = selectors.snapshots_for(actor=request.user, tenant=tenant)
    gaps = selectors.gap_list_for(actor=request.user, tenant=tenant, status=GapStatus.OPEN)
    measures = selectors.measure_list_for(actor=request.user, tenant=tenant)
    return render(
        request,
        "needs/overview.html",
        {
            "latest": snapshots[-1] if snapshots else None,
            "snapshot_count": len(snapshots),
            "open_gaps": gaps,
            "measures": measures,
            "chains": selectors.chains_count_for(actor=request.user, tenant=tenant),
            "may_manage": policy.can(request.user, Cap.NEEDS_MANAGE, tenant),
            "may_plan": policy.can(request.user, Cap.MEASURES_MANAGE, tenant),
            "case_worker": policy.can(request.user, Cap.CASE_MANAGE, tenant),
        },
    )


# --- target-group figures ------------------------------------------------------------------------


@require_GET
def target_group(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    dev = selectors.development_for(actor=request.user, tenant=tenant)
    chart = None
    if dev.dates:
        series = [(pgettext("needs", "Total"), dev.totals), *dev.groups[:6]]
        chart = line_chart(
            dev.dates,
            series,
            title=pgettext("needs", "Development of the target group"),
            description=pgettext(
                "needs",
                "People in the target group per reference date, in total and by status "
                "group; the table below shows the same figures.",
            ),
        )
    snapshots = selectors.snapshots_for(actor=request.user, tenant=tenant)
    return render(
        request,
        "needs/target_group.html",
        {
            "dev": dev,
            "rows": list(zip(dev.dates, dev.totals, strict=True)),
            "group_rows": dev.groups,
            "chart": chart,
            "snapshots": list(reversed(snapshots)),
            "may_manage": policy.can(request.user, Cap.NEEDS_MANAGE, tenant),
        },
    )


@require_GET
def snapshot_detail(request: HttpRequest, snapshot_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    snap = selectors.snapshot_get_for(actor=request.user, tenant=tenant, public_id=snapshot_id)
    if snap is None:
        raise Http404
    return render(
        request,
        "needs/snapshot_detail.html",
        {"snapshot": snap, "breakdowns": selectors.snapshot_breakdowns(snap)},
    )


@require_http_methods(["GET", "POST"])
def target_group_create(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.NEEDS_MANAGE, tenant)
    gemeinden = selectors.gemeinden_of(tenant)
    form = FiguresForm(request.POST or None, gemeinden=gemeinden)
    if request.method == "POST" and form.is_valid():
        try:
            snap = services.snapshot_save(
                actor=request.user,
                tenant=tenant,
                reference_date=form.cleaned_data["reference_date"],
                rows=form.rows(),
                source=form.cleaned_data["source"],
                replace=form.cleaned_data.get("replace") or False,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The target-group figures were saved."))
            return redirect("needs:snapshot_detail", tenant.public_id, snap.public_id)
    return render(request, "needs/target_group_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def target_group_import(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.NEEDS_MANAGE, tenant)
    form = FiguresImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.figures_import(
            actor=request.user,
            tenant=tenant,
            uploaded_file=form.cleaned_data["file"],
            replace=form.cleaned_data.get("replace") or False,
            source=form.cleaned_data.get("source") or "",
        )
        if result.ok:
            messages.success(
                request,
                _("The figures for %(date)s were imported (%(n)s people).")
                % {"date": result.reference_date.strftime("%d.%m.%Y"), "n": result.total},  # type: ignore[union-attr]
            )
            return redirect("needs:target_group", tenant.public_id)
    return render(
        request,
        "needs/target_group_import.html",
        {
            "form": form,
            "result": result,
            "row_errors": result.errors[:200] if result else [],
            "headers": imports.HEADERS,
            "groups": StatusGroup.choices,
        },
    )


@require_GET
def target_group_template(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.NEEDS_MANAGE, tenant)
    response = HttpResponse(
        imports.template_xlsx(tenant=tenant),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="zielgruppe-vorlage.xlsx"'
    return response


# --- estimates ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def estimates(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.NEEDS_VIEW, tenant)
    may_manage = policy.can(request.user, Cap.NEEDS_MANAGE, tenant)
    form = EstimateForm(
        request.POST if request.method == "POST" else None,
        categories=selectors.categories(),
        gemeinden=selectors.gemeinden_of(tenant),
    )
    if request.method == "POST":
        policy.require(request.user, Cap.NEEDS_MANAGE, tenant)
        if form.is_valid():
            try:
                services.estimate_create(
                    actor=request.user, tenant=tenant, data=form.data_for_service()
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The estimate was saved."))
                return redirect("needs:estimates", tenant.public_id)
    return render(
        request,
        "needs/estimates.html",
        {
            "form": form,
            "estimates": selectors.estimate_list_for(actor=request.user, tenant=tenant),
            "may_manage": may_manage,
        },
    )


# --- the gap matrix --------------------------------------------------------------------------


def _matrix_context(request: HttpRequest) -> dict[str, Any]:
    tenant = _tenant(request)
    on = _on(request)
    dim = _dimension(request)
    gemeinde = _gemeinde(request)
    page = selectors.matrix_for(
        actor=request.user, tenant=tenant, on=on, dimension=dim, gemeinde=gemeinde
    )
    columns = [(key, label, _column_param(dim, key, tenant)) for key, label in page.matrix.columns]
    rows = []
    for cat, row in zip(page.categories, page.matrix.rows, strict=True):
        rows.append(
            {
                "category": cat,
                "row": row,
                "cells": [(cell, columns[i][2], columns[i][1]) for i, cell in enumerate(row.cells)],
            }
        )
    return {
        "page": page,
        "on": on,
        "dim": dim,
        "dim_label": DIMENSION_LABELS[dim],
        "gemeinde": gemeinde,
        "gemeinden": selectors.gemeinden_of(tenant),
        "columns": columns,
        "rows": rows,
        "snapshot_dates": [
            s.reference_date for s in selectors.snapshots_for(actor=request.user, tenant=tenant)
        ],
        "dimensions": list(DIMENSION_LABELS.items()),
        "today": timezone.localdate(),
        "levels": ["gap", "low", "part", "ok", "none"],
    }


@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    ctx = _matrix_context(request)
    ctx["view"] = "table" if request.GET.get("ansicht") == "tabelle" else "heatmap"
    return render(request, "needs/matrix.html", ctx)


@require_GET
def trend(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    on = _on(request)
    gemeinde = _gemeinde(request)
    dates, rows, _pages = selectors.trend_for(
        actor=request.user, tenant=tenant, on=on, gemeinde=gemeinde
    )
    return render(
        request,
        "needs/trend.html",
        {"dates": dates, "rows": rows, "on": on, "gemeinde": gemeinde},
    )


@require_GET
def cell(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.NEEDS_VIEW, tenant)
    on = _on(request)
    dim = _dimension(request)
    gemeinde = _gemeinde(request)
    category = _category(request.GET.get("kategorie"))
    raw_column = request.GET.get("spalte") or ""
    column = _column(dim, raw_column, tenant)
    page = selectors.matrix_for(
        actor=request.user, tenant=tenant, on=on, dimension=dim, gemeinde=gemeinde
    )
    figures = page.matrix.cell(category.pk, column)
    if figures is None:
        raise Http404
    label = dict(page.matrix.columns).get(column, str(column))
    accessible, excluded = selectors.cell_offers_for(
        actor=request.user,
        tenant=tenant,
        on=on,
        category=category,
        dimension=dim,
        column=column,
        gemeinde=gemeinde,
    )
    people = selectors.cell_participants_for(
        actor=request.user,
        tenant=tenant,
        on=on,
        category=category,
        dimension=dim,
        column=column,
        gemeinde=gemeinde,
    )
    gaps = selectors.gaps_for_cell(
        actor=request.user, tenant=tenant, category=category, dimension=dim, column=column
    )
    form = GapForm(
        initial={
            "title": f"{category.name} – {label}",
        }
    )
    return render(
        request,
        "needs/cell.html",
        {
            "on": on,
            "dim": dim,
            "dim_label": DIMENSION_LABELS[dim],
            "category": category,
            "column": column,
            "column_param": raw_column,
            "column_label": label,
            "gemeinde": gemeinde,
            "cell": figures,
            "accessible": accessible,
            "excluded": excluded,
            "people": people,
            "gaps": gaps,
            "form": form,
            "may_plan": policy.can(request.user, Cap.MEASURES_MANAGE, tenant),
        },
    )


# --- gaps and measures ------------------------------------------------------------------------


@require_POST
def gap_create(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.MEASURES_MANAGE, tenant)
    on = _parse_date(request.POST.get("stichtag")) or timezone.localdate()
    dim = request.POST.get("dim") or "status"
    if dim not in selectors.DIMENSIONS:
        raise Http404
    category = _category(request.POST.get("kategorie"))
    column = _column(dim, request.POST.get("spalte") or "", tenant)
    form = GapForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter a title for the gap."))
        return redirect(request.META.get("HTTP_REFERER") or "needs:matrix", tenant.public_id)
    page = selectors.matrix_for(actor=request.user, tenant=tenant, on=on, dimension=dim)
    figures = page.matrix.cell(category.pk, column)
    data: dict[str, Any] = {
        "reference_date": on,
        "category": category,
        "title": form.cleaned_data["title"],
        "description": form.cleaned_data.get("description") or "",
        "demand": figures.demand if figures else 0,
        "supply": figures.seats if figures else 0,
    }
    if dim == "status":
        data["status_group"] = column
    elif dim == "age":
        data["age_band"] = column if column != selectors.OUTSIDE else ""
    elif dim == "sex":
        data["sex"] = column
    elif dim == "gemeinde" and column != selectors.OUTSIDE:
        data["gemeinde"] = next(g for g in selectors.gemeinden_of(tenant) if g.pk == column)
    try:
        gap = services.gap_create(actor=request.user, tenant=tenant, data=data)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("needs:matrix", tenant.public_id)
    messages.success(request, _("The gap was recorded."))
    return redirect("needs:gap_detail", tenant.public_id, gap.public_id)


@require_GET
def gap_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    gaps = selectors.gap_list_for(actor=request.user, tenant=tenant)
    return render(
        request,
        "needs/gap_list.html",
        {"gaps": gaps, "may_plan": policy.can(request.user, Cap.MEASURES_MANAGE, tenant)},
    )


def _gap(request: HttpRequest, gap_id: Any) -> Gap:
    gap = selectors.gap_get_for(actor=request.user, tenant=_tenant(request), public_id=gap_id)
    if gap is None:
        raise Http404
    return gap


@require_http_methods(["GET", "POST"])
def gap_detail(request: HttpRequest, gap_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    gap = _gap(request, gap_id)
    if request.method == "POST":
        policy.require(request.user, Cap.MEASURES_MANAGE, tenant)
        try:
            services.gap_set_status(
                actor=request.user, gap=gap, status=request.POST.get("status") or ""
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The status of the gap was changed."))
        return redirect("needs:gap_detail", tenant.public_id, gap.public_id)
    detail = selectors.gap_detail_for(actor=request.user, gap=gap)
    return render(
        request,
        "needs/gap_detail.html",
        {
            "gap": gap,
            "detail": detail,
            "may_plan": policy.can(request.user, Cap.MEASURES_MANAGE, tenant),
        },
    )


def _measure_form(
    request: HttpRequest, measure: PlannedMeasure | None = None, **initial: Any
) -> MeasureForm:
    tenant = _tenant(request)
    options = selectors.measure_form_options(tenant)
    form = MeasureForm(
        request.POST if request.method == "POST" else None,
        measure=measure,
        initial=initial or None,
        **options,
    )
    return form


@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    return render(
        request,
        "needs/measure_list.html",
        {
            "measures": selectors.measure_list_for(actor=request.user, tenant=tenant),
            "may_plan": policy.can(request.user, Cap.MEASURES_MANAGE, tenant),
        },
    )


@require_http_methods(["GET", "POST"])
def measure_create(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.MEASURES_MANAGE, tenant)
    gap = None
    gap_id = request.GET.get("luecke") or request.POST.get("luecke")
    initial: dict[str, Any] = {"status": "idee"}
    if gap_id:
        gap = _gap(request, gap_id)
        initial.update(selectors.measure_initial_for_gap(gap))
    form = _measure_form(request, **initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_create(
                actor=request.user, tenant=tenant, gap=gap, data=form.data_for_service()
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The measure was planned."))
            if gap is not None:
                return redirect("needs:gap_detail", tenant.public_id, gap.public_id)
            return redirect("needs:measure_list", tenant.public_id)
    return render(request, "needs/measure_form.html", {"form": form, "gap": gap, "measure": None})


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, measure_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    measure = selectors.measure_get_for(actor=request.user, tenant=tenant, public_id=measure_id)
    if measure is None:
        raise Http404
    if request.method == "POST":
        policy.require(request.user, Cap.MEASURES_MANAGE, tenant)
    form = _measure_form(request, measure)
    may_plan = policy.can(request.user, Cap.MEASURES_MANAGE, tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(
                actor=request.user,
                measure=measure,
                data=form.data_for_service(),
                version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The measure was saved."))
            return redirect("needs:measure_list", tenant.public_id)
    return render(
        request,
        "needs/measure_form.html",
        {"form": form, "gap": measure.gap, "measure": measure, "may_plan": may_plan},
    )


# --- chains of measures ------------------------------------------------------------------------


@require_GET
def chains(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    people = selectors.chains_list_for(actor=request.user, tenant=tenant)
    settings_ = selectors.needs_settings(tenant)
    return render(request, "needs/chains.html", {"people": people, "settings": settings_})


# --- needs survey --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, participant_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.CASE_MANAGE, tenant)
    participant = selectors.survey_participant_get_for(
        actor=request.user, tenant=tenant, public_id=participant_id
    )
    if participant is None:
        raise Http404
    needs = selectors.participant_needs(participant)
    open_needs = {n.category_id: n for n in needs if n.met_on is None}
    cats = selectors.categories()
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        categories=cats,
        open_needs=open_needs,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_save(
                actor=request.user,
                participant=participant,
                needs=form.needs(),
                met=form.cleared(),
                note=form.cleaned_data.get("note") or "",
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The needs were saved."))
            return redirect("needs:survey", tenant.public_id, participant.public_id)
    return render(
        request,
        "needs/survey.html",
        {
            "participant": participant,
            "form": form,
            "fields": [form[f"c_{c.pk}"] for c in cats],
            "needs": needs,
            "goal_categories": selectors.open_goal_categories(participant),
            "categories": {c.pk: c for c in cats},
        },
    )


# --- report -------------------------------------------------------------------------------------


@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    data = report.report_data(actor=request.user, tenant=tenant, on=_on(request))
    response = HttpResponse(report.report_pdf(data, request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename(data, "pdf")}"'
    return response


@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    data = report.report_data(actor=request.user, tenant=tenant, on=_on(request))
    response = HttpResponse(
        report.report_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.filename(data, "xlsx")}"'
    return response

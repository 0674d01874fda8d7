from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teilhabe.accounts import policy
from teilhabe.accounts.models import User
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import ConflictError, DomainError
from teilhabe.territory.models import gemeinden_in

from . import selectors, services, snapshot
from .forms import (
    DuplicateForm,
    LocationFormSet,
    OfferFilterForm,
    OfferForm,
    ProviderForm,
    ScheduleFormSet,
)
from .models import Offer, Provider

PAGE_SIZE = 25
# settings.CACHES: rendered directory parts, per process, keyed by the directory's version
PAGE_CACHE = "pages"


def _tenant(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


def offer_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.OFFERS_VIEW, tenant)
    # The filter form and the results are directory data, the same for everybody who may see
    # the list: kept per process under the directory's version token (any change to offers,
    # providers, locations, categories or funding changes it), the address's parameters and
    # the language.  Role-dependent parts (the buttons above) are rendered on every request.
    key = (
        "offer-list:"
        + hashlib.sha256(
            repr(
                (
                    snapshot.directory_token(tenant),
                    translation.get_language(),
                    sorted(request.GET.lists()),
                )
            ).encode()
        ).hexdigest()
    )
    store = caches[PAGE_CACHE]
    body = store.get(key)
    if body is None:
        body = _offer_list_body(request, tenant)
        store.set(key, body)
    return render(
        request,
        "offers/offer_list.html",
        {
            "body": body,
            "may_create": policy.can(request.user, Cap.OFFERS_CREATE, tenant),
            "may_import": policy.can(request.user, Cap.OFFERS_IMPORT, tenant),
        },
    )


def _offer_list_body(request: HttpRequest, tenant: Any) -> str:
    providers = selectors.provider_choices_for(actor=request.user, tenant=tenant)
    gemeinden = gemeinden_in(tenant.territory)
    form = OfferFilterForm(request.GET or None, providers=providers, gemeinden=gemeinden)
    filters = selectors.OfferFilter()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.OfferFilter(
            query=d["q"],
            category=d["category"],
            provider=d["provider"],
            gemeinde=d["gemeinde"],
            status=d["status"],
            funding=d["funding"],
            free_seats=d["free_seats"],
            language=d["language"],
        )
    offers = selectors.offer_list_for(actor=request.user, tenant=tenant, filters=filters)
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_to_string(
        "offers/_offer_list_body.html",
        {"form": form, "page": page, "query": query.urlencode(), "tenant": tenant},
    )


def _get_offer(request: HttpRequest, offer_id: Any) -> Offer:
    offer = selectors.offer_get_for(actor=request.user, tenant=_tenant(request), public_id=offer_id)
    if offer is None:
        raise Http404
    return offer


def offer_detail(request: HttpRequest, offer_id: Any) -> HttpResponse:
    offer = _get_offer(request, offer_id)
    return render(
        request,
        "offers/offer_detail.html",
        {"offer": offer, "may_edit": policy.can(request.user, Cap.OFFERS_EDIT, offer)},
    )


def offer_history(request: HttpRequest, offer_id: Any) -> HttpResponse:
    offer = _get_offer(request, offer_id)
    events = selectors.offer_history_for(actor=request.user, offer=offer)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "offers/offer_history.html", {"offer": offer, "page": page})


def _children_initial(offer: Offer | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if offer is None:
        return [], []
    locations = [
        {
            "name": loc.name,
            "street": loc.street,
            "postcode": loc.postcode,
            "city": loc.city,
            "gemeinde": loc.gemeinde_id,
            "latitude": loc.latitude,
            "longitude": loc.longitude,
        }
        for loc in offer.locations.all()
    ]
    schedules = [
        {"weekday": s.weekday, "opens_at": s.opens_at, "closes_at": s.closes_at}
        for s in offer.schedules.all()
    ]
    return locations, schedules


def _formset_rows(formset: Any) -> list[dict[str, Any]]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _strip_delete(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "DELETE"} for r in rows]


@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: Any = None) -> HttpResponse:
    tenant = _tenant(request)
    offer = _get_offer(request, offer_id) if offer_id else None
    if offer is None:
        policy.require(request.user, Cap.OFFERS_CREATE, tenant)
    else:
        policy.require(request.user, Cap.OFFERS_EDIT, offer)
    providers = selectors.providers_editable_by(actor=request.user, tenant=tenant)
    if offer is not None:
        # the offer's current provider stays selectable
        providers = Provider.objects.filter(
            Q(pk__in=providers.values("pk")) | Q(pk=offer.provider_id)
        ).order_by("name")
    gemeinden = gemeinden_in(tenant.territory)
    data = request.POST if request.method == "POST" else None
    form = OfferForm(data, instance=offer, tenant=tenant, providers=providers)
    loc_initial, sched_initial = _children_initial(offer)
    locations = LocationFormSet(
        data, prefix="loc", initial=loc_initial, form_kwargs={"gemeinden": gemeinden}
    )
    schedules = ScheduleFormSet(data, prefix="sched", initial=sched_initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and locations.is_valid()
        and schedules.is_valid()
    ):
        cleaned = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        loc_rows = _strip_delete(_formset_rows(locations))
        sched_rows = _strip_delete(_formset_rows(schedules))
        try:
            if offer is None:
                offer = services.offer_create(
                    actor=request.user,
                    tenant=tenant,
                    data=cleaned,
                    locations=loc_rows,
                    schedules=sched_rows,
                )
                messages.success(request, _("The offer was created."))
            else:
                offer = services.offer_update(
                    actor=request.user,
                    offer=offer,
                    data=cleaned,
                    version=form.cleaned_data.get("version"),
                    locations=loc_rows,
                    schedules=sched_rows,
                )
                messages.success(request, _("The offer was saved."))
            return redirect("offers:offer_detail", tenant.public_id, offer.public_id)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "offers/offer_form.html",
        {"form": form, "locations": locations, "schedules": schedules, "offer": offer},
    )


@require_http_methods(["GET", "POST"])
def offer_duplicate(request: HttpRequest, offer_id: Any) -> HttpResponse:
    offer = _get_offer(request, offer_id)
    policy.require(request.user, Cap.OFFERS_EDIT, offer)
    form = DuplicateForm(request.POST or None, initial={"key": f"{offer.key}-neu"})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.offer_duplicate(actor=request.user, offer=offer, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("A new run of the offer was created."))
            return redirect("offers:offer_edit", _tenant(request).public_id, copy.public_id)
    return render(request, "offers/offer_duplicate.html", {"form": form, "offer": offer})


def provider_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    providers = selectors.provider_list_for(actor=request.user, tenant=tenant)
    return render(
        request,
        "offers/provider_list.html",
        {
            "providers": providers,
            "may_manage": policy.can(request.user, Cap.PROVIDERS_MANAGE, tenant),
        },
    )


def provider_detail(request: HttpRequest, provider_id: Any) -> HttpResponse:
    tenant = _tenant(request)
    provider = selectors.provider_get_for(actor=request.user, tenant=tenant, public_id=provider_id)
    if provider is None:
        raise Http404
    offers = selectors.offer_list_for(
        actor=request.user,
        tenant=tenant,
        filters=selectors.OfferFilter(provider=str(provider.public_id)),
    )
    return render(
        request,
        "offers/provider_detail.html",
        {
            "provider": provider,
            "offers": offers,
            "may_manage": policy.can(request.user, Cap.PROVIDERS_MANAGE, tenant),
        },
    )


@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: Any = None) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.PROVIDERS_MANAGE, tenant)
    provider = None
    if provider_id:
        provider = selectors.provider_get_for(
            actor=request.user, tenant=tenant, public_id=provider_id
        )
        if provider is None:
            raise Http404
    candidates = User.objects.filter(
        memberships__tenant=tenant, memberships__role="provider", memberships__is_active=True
    ).distinct()
    form = ProviderForm(request.POST or None, instance=provider, staff_candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "staff"}
        try:
            provider = services.provider_save(
                actor=request.user,
                tenant=tenant,
                data=data,
                provider=provider,
                staff=list(form.cleaned_data["staff"]),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The provider was saved."))
            return redirect("offers:provider_detail", tenant.public_id, provider.public_id)
    return render(request, "offers/provider_form.html", {"form": form, "provider": provider})


def offer_export(request: HttpRequest) -> HttpResponse:
    from django.http import StreamingHttpResponse
    from django.utils import timezone

    from teilhabe.audit.services import audit_record

    from .exports import offers_csv, offers_xlsx

    tenant = _tenant(request)
    policy.require(request.user, Cap.OFFERS_VIEW, tenant)
    offers = selectors.offer_list_for(
        actor=request.user, tenant=tenant, filters=selectors.OfferFilter()
    ).prefetch_related("schedules")
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    audit_record(actor=request.user, action="offer.export", tenant=tenant)
    if request.GET.get("format") == "csv":
        stream = StreamingHttpResponse(offers_csv(offers), content_type="text/csv; charset=utf-8")
        stream["Content-Disposition"] = f'attachment; filename="angebote-{stamp}.csv"'
        return stream  # type: ignore[return-value]
    response = HttpResponse(
        offers_xlsx(offers),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="angebote-{stamp}.xlsx"'
    return response


def offer_matching(request: HttpRequest) -> HttpResponse:
    """Passende Angebote: facts typed into a form, nothing stored."""
    from teilhabe.eligibility import FactsError

    from .forms_matching import MatchingForm

    tenant = _tenant(request)
    policy.require(request.user, Cap.MATCHING_USE, tenant)
    gemeinden = gemeinden_in(tenant.territory)
    form = MatchingForm(request.GET or None, gemeinden=gemeinden)
    matches = None
    show_all = False
    if request.GET and form.is_valid():
        try:
            facts = form.facts()
        except FactsError as exc:
            form.add_error(None, str(exc))
        else:
            show_all = form.cleaned_data["show_ineligible"]
            matches = selectors.offer_matches_for(
                actor=request.user,
                tenant=tenant,
                facts=facts,
                on=form.cleaned_data["reference_date"],
                categories=form.cleaned_data["wanted"],
                gemeinde_ags=form.cleaned_data["gemeinde"] or None,
            )
    groups = None
    if matches is not None:
        groups = {
            "eligible": [m for m in matches if m.status == "eligible"],
            "unknown": [m for m in matches if m.status == "unknown"],
            "not_eligible": [m for m in matches if m.status == "not_eligible"],
        }
    lang = "de" if (request.LANGUAGE_CODE or "de").startswith("de") else "en"
    return render(
        request,
        "offers/offer_matching.html",
        {"form": form, "groups": groups, "show_all": show_all, "lang": lang},
    )

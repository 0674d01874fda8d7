"""The public offer finder: ``/finden/<tenant>/<lang>/``.

No login, no session, no cookie, no database write: the answers travel in the query string
of a GET form, are turned into engine facts, matched against the tenant's offers and
forgotten.  The language is part of the URL and is activated for this one response with
``translation.override``.  Responses carry ``Cache-Control: no-store`` (the query string
describes a person; no shared or disk cache keeps it) and ``Referrer-Policy: no-referrer``.

The tenant is resolved here (active tenant by public id, else 404): the URL kwarg is named
``tenant``, not ``tenant_id``, so that ``TenantMiddleware`` (members only) stays out.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_safe

from teilhabe.accounts.models import Tenant
from teilhabe.eligibility import CriterionResult, Status
from teilhabe.offers.matching import Match, rank_offers
from teilhabe.offers.models import Offer
from teilhabe.offers.selectors import categories
from teilhabe.offers.snapshot import directory_token, snapshot_for
from teilhabe.territory.models import gemeinden_in

from . import reasons
from .forms import Answers, FinderForm, category_name
from .languages import BY_CODE, DEFAULT, ENDONYMS, LANGUAGES, RTL_LANGUAGES, FinderLanguage

# Offers shown per group before "show all" (the best-ranked first; the page stays light
# on a phone and quick to render).
SHOWN_PER_GROUP = 20
# Rendered answer pages (settings.CACHES): small, per process, keyed by directory state.
PAGE_CACHE = "pages"

WEEKDAYS = {
    1: pgettext_lazy("finder", "Monday"),
    2: pgettext_lazy("finder", "Tuesday"),
    3: pgettext_lazy("finder", "Wednesday"),
    4: pgettext_lazy("finder", "Thursday"),
    5: pgettext_lazy("finder", "Friday"),
    6: pgettext_lazy("finder", "Saturday"),
    7: pgettext_lazy("finder", "Sunday"),
}


@dataclass
class Text:
    """A text and the language it is in (German where no translation exists)."""

    value: str
    lang: str
    rtl: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


@dataclass
class Card:
    offer: Offer
    status: str
    fits: list[str]
    unclear: list[str]
    title: Text
    description: Text
    category: Text
    times: list[str]
    languages: list[Text]
    contact_name: str
    phone: str
    phone_href: str
    email: str
    # names the card's person-independent parts (offer, directory state, language) for the
    # fragment cache of finder/_offer.html
    fragment: str = ""


@dataclass
class Results:
    eligible: list[Card] = field(default_factory=list)
    unknown: list[Card] = field(default_factory=list)
    not_eligible: int = 0
    why_not: list[tuple[str, int]] = field(default_factory=list)
    other_areas: int = 0


def _tenant(public_id: uuid.UUID) -> Tenant | None:
    return (
        Tenant.objects.select_related("territory")
        .filter(public_id=public_id, is_active=True)
        .first()
    )


def _text(value: str, translated: bool, language: FinderLanguage) -> Text:
    if translated:
        return Text(value, language.html_lang, language.rtl)
    return Text(value, "de")


def _offer_texts(offer: Offer, language: FinderLanguage) -> tuple[Text, Text]:
    title, description = offer.text_in(language.content, plain=language.plain)
    own = offer.translations.get(language.content) if not language.plain else None
    own = own if isinstance(own, dict) else {}
    is_de = language.content == "de"
    return (
        _text(title, is_de or bool(own.get("title")), language),
        _text(description, is_de or bool(own.get("description")), language),
    )


def _category_text(offer: Offer, language: FinderLanguage) -> Text:
    cat = offer.category
    translated = language.content == "de" or bool(cat.translations.get(language.content))
    return _text(category_name(cat, language), translated, language)


def _phone_href(phone: str) -> str:
    digits = re.sub(r"[^\d+]", "", phone)
    return f"tel:{digits}" if digits else ""


def _card(
    offer: Offer,
    status: str,
    fits: list[str],
    unclear: list[str],
    language: FinderLanguage,
    directory: str,
) -> Card:
    title, description = _offer_texts(offer, language)
    times = [
        pgettext("finder", "%(day)s, %(start)s to %(end)s")
        % {
            "day": WEEKDAYS.get(s.weekday, ""),
            "start": s.opens_at.strftime("%H:%M"),
            "end": s.closes_at.strftime("%H:%M"),
        }
        for s in offer.schedules.all()
    ]
    languages = [
        Text(ENDONYMS.get(code, code), code, code in RTL_LANGUAGES)
        for code in (offer.languages or [])
        if isinstance(code, str)
    ]
    phone = offer.contact_phone or offer.provider.phone
    return Card(
        fragment=f"{directory}.{offer.pk}.{language.code}",
        offer=offer,
        status=status,
        fits=fits,
        unclear=unclear,
        title=title,
        description=description,
        category=_category_text(offer, language),
        times=times,
        languages=languages,
        contact_name=offer.contact_name or offer.provider.contact_name,
        phone=phone,
        phone_href=_phone_href(phone),
        email=offer.contact_email or offer.provider.email,
    )


def _unknown_results(variants: list[Match]) -> list[CriterionResult]:
    seen: dict[str, CriterionResult] = {}
    for m in variants:
        for r in m.unknown:
            seen.setdefault(r.criterion_code, r)
    return list(seen.values())


def find(
    *,
    tenant: Tenant,
    answers: Answers,
    today: date,
    language: FinderLanguage,
    area_ags: list[str],
) -> Results:
    """Rank the tenant's offers for the answers and sort them into what the page shows.

    The public sees no offer that has already ended or whose provider is inactive."""
    snapshot = snapshot_for(tenant)
    offers = [
        o
        for o in snapshot.offers
        if o.provider.is_active and (o.end_date is None or o.end_date >= today)
    ]
    rankings = [
        rank_offers(
            offers,
            facts,
            on=today,
            categories=answers.categories,
            gemeinde_ags=answers.gemeinde_ags,
            area_ags=area_ags,
        )
        for facts in answers.facts
    ]
    others = [{m.offer.pk: m for m in ranking} for ranking in rankings[1:]]
    results = Results()
    why_not: Counter[str] = Counter()
    for m in rankings[0]:
        variants = [m, *(other[m.offer.pk] for other in others)]
        statuses = {v.status for v in variants}
        status = m.status if len(statuses) == 1 else Status.UNKNOWN
        women_only = m.offer.women_only and not answers.woman
        if women_only and status is Status.ELIGIBLE:
            status = Status.UNKNOWN
        if answers.categories and m.offer.category.code not in answers.categories:
            if status is not Status.NOT_ELIGIBLE:
                results.other_areas += 1
            continue
        if status is Status.NOT_ELIGIBLE:
            results.not_eligible += 1
            why_not.update(reasons.failed_sentences(m.failed))
            continue
        for_women = [str(reasons.WOMEN_ONLY)] if m.offer.women_only and answers.woman else []
        if status is Status.ELIGIBLE:
            fits = reasons.passed_sentences(m.decision.results, fallback=not for_women)
            fits += for_women
            results.eligible.append(_card(m.offer, status.value, fits, [], language, snapshot.key))
            continue
        # What fits for every possible birthday; what is unclear for any of them.
        fits = reasons.passed_sentences(m.decision.results, fallback=False)
        for v in variants[1:]:
            other = reasons.passed_sentences(v.decision.results, fallback=False)
            fits = [s for s in fits if s in other]
        fits += for_women
        unclear = [str(reasons.BIRTHDAY)] if len(statuses) > 1 else []
        unknown = _unknown_results(variants)
        if unknown:
            unclear.extend(s for s in reasons.unclear_sentences(unknown) if s not in unclear)
        if women_only:
            unclear.append(str(reasons.WOMEN_ONLY))
        results.unknown.append(_card(m.offer, status.value, fits, unclear, language, snapshot.key))
    results.why_not = why_not.most_common()
    return results


def _query(data: QueryDict, drop: tuple[str, ...] = ()) -> str:
    """The finder's own parameters of the request (nothing else is reflected)."""
    kept = QueryDict(mutable=True)
    for name in FinderForm.base_fields:
        if name in data and name not in drop:
            kept.setlist(name, data.getlist(name))
    return kept.urlencode()


def _language_links(
    tenant: Tenant | None, current: FinderLanguage, query: str
) -> list[dict[str, Any]]:
    links = []
    for lang in LANGUAGES:
        url = ""
        if tenant is not None:
            url = reverse("finder:finder", kwargs={"tenant": tenant.public_id, "lang": lang.code})
            url += f"?{query}" if query else ""
        links.append({"language": lang, "url": url, "current": lang == current})
    return links


def _finish(response: HttpResponse, language: FinderLanguage) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Language"] = language.html_lang
    return response


def _not_found(
    request: HttpRequest, language: FinderLanguage, tenant: Tenant | None = None
) -> HttpResponse:
    with translation.override(language.code):
        response = render(
            request,
            "finder/not_found.html",
            {
                "language": language,
                "tenant": tenant,
                "language_links": _language_links(tenant, language, "") if tenant else [],
            },
            status=404,
        )
    return _finish(response, language)


@require_safe
def not_found(request: HttpRequest) -> HttpResponse:
    """Every other address under /finden/: a 404 without the staff layout (no cookie)."""
    return _not_found(request, DEFAULT)


@require_safe
def start(request: HttpRequest, tenant: uuid.UUID) -> HttpResponse:
    """The short address of a tenant's finder: on to the German page."""
    found = _tenant(tenant)
    if found is None:
        return _not_found(request, DEFAULT)
    url = reverse("finder:finder", kwargs={"tenant": found.public_id, "lang": DEFAULT.code})
    query = _query(request.GET)
    return _finish(HttpResponseRedirect(f"{url}?{query}" if query else url), DEFAULT)


@require_safe
def finder(request: HttpRequest, tenant: uuid.UUID, lang: str) -> HttpResponse:
    language = BY_CODE.get(lang)
    found = _tenant(tenant)
    if language is None:
        return _not_found(request, DEFAULT, found)
    if found is None:
        return _not_found(request, language)
    today = timezone.localdate()
    # The page follows from public data only: the directory's state (its version token), the
    # tenant, the day, the language and the finder's own parameters of the address.  Many
    # people ask the same few questions, so the rendered page is kept in this process's
    # memory under a hash of exactly these; any change to the directory changes the token.
    # Nothing names the asker (no cookie, no address, no time of the request).
    key = (
        "finder:"
        + hashlib.sha256(
            repr(
                (
                    directory_token(found),
                    found.name,
                    today.isoformat(),
                    language.code,
                    request.path,
                    _query(request.GET),
                    request.GET.get("alle") == "1",
                )
            ).encode()
        ).hexdigest()
    )
    store = caches[PAGE_CACHE]
    body = store.get(key)
    if body is not None:
        return _finish(HttpResponse(body), language)
    response = _finder_page(request, found, language, today)
    if response.status_code == 200:
        store.set(key, response.content)
    return _finish(response, language)


def _finder_page(
    request: HttpRequest, found: Tenant, language: FinderLanguage, today: date
) -> HttpResponse:
    with translation.override(language.code):
        gemeinden = list(gemeinden_in(found.territory))
        bound = any(name in request.GET for name in FinderForm.base_fields)
        form = FinderForm(
            request.GET if bound else None,
            today=today,
            language=language,
            gemeinden=gemeinden,
            categories=categories(),
        )
        results = None
        if bound and form.is_valid():
            results = find(
                tenant=found,
                answers=form.answers(),
                today=today,
                language=language,
                area_ags=[g.ags for g in gemeinden],
            )
        query = _query(request.GET)
        all_areas = _query(request.GET, drop=("suche",))
        show_all = request.GET.get("alle") == "1"
        limit = None if show_all else SHOWN_PER_GROUP
        return render(
            request,
            "finder/finder.html",
            {
                "tenant": found,
                "language": language,
                "language_links": _language_links(found, language, query),
                "form": form,
                "bound": bound,
                "results": results,
                "all_areas_url": f"{request.path}?{all_areas}#ergebnis",
                "eligible_shown": results.eligible[:limit] if results else [],
                "unknown_shown": results.unknown[:limit] if results else [],
                "show_all_url": f"{request.path}?{query}&alle=1#ergebnis",
            },
        )

"""The public offer finder: anonymous, nothing stored, no cookie, seven languages."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teilhabe.audit.models import AuditEvent
from teilhabe.eligibility import Facts
from teilhabe.finder import reasons
from teilhabe.finder.forms import FinderForm, parse_number, years_before
from teilhabe.finder.languages import BY_CODE, LANGUAGES
from teilhabe.offers import matching
from teilhabe.offers.models import (
    Offer,
    OfferLocation,
    OfferSchedule,
    Provider,
    RuleSetRecord,
)
from teilhabe.offers.services import programme_rule_sets_load
from teilhabe.territory.models import Territory, gemeinden_in

from .conftest import World, login
from .factories import make_offer, make_provider

TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The finder's reference date is today; pin it so birthdays are deterministic.

    Also empty the rule-set cache of the matching module: it is keyed by offer pk and
    version, and the test database hands out the same pks again after each rollback.
    """
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    monkeypatch.setattr(matching, "_CACHE", {})


def _target_group_rules(world: World) -> RuleSetRecord:
    """The DiAA target-group rules without the programme period, as a tenant rule set."""
    programme_rule_sets_load()
    base = RuleSetRecord.objects.get(tenant=None, code="diaa.target_group").definition
    definition = dict(base, code="gt.zielgruppe", valid_from="2019-01-01", valid_until=None)
    definition["criteria"] = [c for c in base["criteria"] if c["kind"] != "within_period"]
    return RuleSetRecord.objects.create(
        tenant=world.tenant, code="gt.zielgruppe", name="Zielgruppe 18–27", definition=definition
    )


def url(world: World, lang: str = "de", tenant: Any = None) -> str:
    public_id = tenant.public_id if tenant is not None else world.tenant.public_id
    return reverse("finder:finder", kwargs={"tenant": public_id, "lang": lang})


def html(response: HttpResponse) -> str:
    return response.content.decode()


def keys(cards: list[Any]) -> list[str]:
    return [c.offer.key for c in cards]


def assert_private(response: HttpResponse) -> None:
    """No cookie, no CSRF token, not stored in any cache."""
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in response.headers
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    if response.get("Content-Type", "").startswith("text/html"):
        assert "csrfmiddlewaretoken" not in html(response)
        assert "csrf" not in html(response).lower()


@pytest.fixture
def offers(world: World) -> dict[str, Offer]:
    """A small directory: target-group offer, an 18–27 course, an open meeting, an
    under-21 course and a women-only course, in two categories."""
    rules = _target_group_rules(world)
    vhs = make_provider(world.tenant, phone="05241 / 85-0", email="info@vhs.example")
    jmd = make_provider(world.tenant, name="Jugendmigrationsdienst", kind="jmd")
    return {
        "coaching": make_offer(
            world.tenant,
            jmd,
            key="coaching",
            title="Coaching Durchstarten",
            category_code="beratung",
            rule_set=rules,
        ),
        "kurs": make_offer(
            world.tenant,
            vhs,
            key="kurs",
            title="Deutschkurs für junge Erwachsene",
            min_age=18,
            max_age=27,
            contact_phone="+49 5241 12-34",
            contact_email="kurs@vhs.example",
            translations={"ar": {"title": "دورة ألمانية للشباب"}},
        ),
        "treff": make_offer(
            world.tenant,
            vhs,
            key="treff",
            title="Offener Sprachtreff",
            cost="12.50",
            travel_costs_reimbursed=True,
        ),
        "u21": make_offer(world.tenant, vhs, key="u21", title="Kurs unter 21", max_age=20),
        "frauen": make_offer(
            world.tenant, vhs, key="frauen", title="Sprachkurs für Frauen", women_only=True
        ),
    }


# --- access, headers, privacy ----------------------------------------------------------------


def test_finder_is_public_and_redirects_to_german(world: World) -> None:
    client = Client()
    start = reverse("finder:start", kwargs={"tenant": world.tenant.public_id})
    response = client.get(start)
    assert response.status_code == 302
    assert response["Location"] == url(world)
    assert_private(response)
    # answers in the short address are kept
    response = client.get(start, {"alter": "22", "junk": "x"})
    assert response["Location"] == f"{url(world)}?alter=22"

    page = client.get(url(world))
    assert page.status_code == 200
    assert_private(page)
    text = html(page)
    assert '<html lang="de" dir="ltr">' in text
    assert "Angebote finden" in text and "Kreis Gütersloh" in text
    assert page.context["results"] is None
    assert '<meta name="robots"' not in text  # the empty form may be indexed
    # every language is linked, each named in its own language
    for lang in LANGUAGES:
        link = f'lang="{lang.html_lang}" hreflang="{lang.html_lang}" dir="{lang.direction}"'
        assert f'{url(world, lang.code)}" {link}' in text
        assert f">{lang.name}</a>" in text
    assert 'aria-current="page">Deutsch</a>' in text


def test_no_cookie_and_no_csrf_token_on_any_finder_response(
    world: World, offers: dict[str, Offer]
) -> None:
    client = Client()
    responses = [client.get(reverse("finder:start", kwargs={"tenant": world.tenant.public_id}))]
    for lang in LANGUAGES:
        responses.append(client.get(url(world, lang.code)))
        responses.append(
            client.get(url(world, lang.code), {"alter": "22", "status": "duldung", "frau": "on"})
        )
        responses.append(client.get(url(world, lang.code), {"alter": "abc"}))
    responses += [
        client.get(url(world, "xx")),
        client.get(reverse("finder:finder", kwargs={"tenant": uuid.uuid4(), "lang": "de"})),
        client.get("/finden/"),
        client.get("/finden/kein-mandant/de/"),
    ]
    for response in responses:
        assert_private(response)
    assert not client.cookies


def test_signed_in_staff_can_use_the_finder_too(world: World) -> None:
    client = login(Client(), world.users["case_worker"])
    assert client.get(url(world)).status_code == 200


def test_post_is_not_allowed_head_is(world: World) -> None:
    response = Client().post(url(world), {"alter": "22"})
    assert response.status_code == 405
    assert not response.cookies
    assert Client().head(url(world)).status_code == 200


def test_ended_offers_and_inactive_providers_are_not_public(world: World) -> None:
    vhs = make_provider(world.tenant)
    gone = make_provider(world.tenant, name="Aufgelöster Verein", is_active=False)
    make_offer(world.tenant, vhs, key="laeuft", title="Läuft noch")
    make_offer(
        world.tenant,
        vhs,
        key="vorbei",
        title="Schon vorbei",
        start_date=date(2026, 1, 5),
        end_date=date(2026, 6, 30),
    )
    make_offer(world.tenant, gone, key="verein", title="Vom aufgelösten Verein")
    make_offer(world.tenant, vhs, key="pause", title="Pausiert", status="pausiert")
    results = Client().get(url(world), {"alter": "22"}).context["results"]
    assert keys(results.eligible) == ["laeuft"]
    assert results.not_eligible == 0 and results.unknown == []


def test_nothing_is_written_to_the_database(world: World, offers: dict[str, Offer]) -> None:
    tables = [AuditEvent, Offer, OfferLocation, OfferSchedule, Provider, RuleSetRecord, Session]
    before = [model.objects.count() for model in tables]
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        for lang in ("de", "ar", "de-ls"):
            client.get(
                url(world, lang),
                {"alter": "22", "status": "gestattung", "suche": ["sprache"], "deutsch": "A1"},
            )
        client.get(url(world), {"geburtsjahr": "1999", "ort": "99999999"})
        client.get(url(world, "xx"))
    assert [model.objects.count() for model in tables] == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", q["sql"], re.IGNORECASE)
    ]
    assert writes == []


# --- what the questions lead to ---------------------------------------------------------------


def test_questions_lead_to_the_right_offers_eligible_first(
    world: World, offers: dict[str, Offer]
) -> None:
    response = Client().get(url(world), {"alter": "22", "status": "duldung"})
    assert response.status_code == 200
    results = response.context["results"]
    assert keys(results.eligible) == ["kurs", "treff"]  # ranked, then by title
    assert keys(results.unknown) == ["frauen", "coaching"]  # in ranking order
    assert results.not_eligible == 1  # under 21
    assert results.why_not == [("Sie sind zu alt.", 1)]
    text = html(response)
    assert '<meta name="robots" content="noindex">' in text
    assert text.index("Diese Angebote passen zu Ihnen") < text.index("Vielleicht – fragen Sie nach")
    assert text.index('id="offers-eligible"') < text.index('id="offers-unknown"')
    assert "Kurs unter 21" not in text  # never shown, only counted
    assert "1 weiteres Angebot passt nicht zu Ihren Angaben." in text

    kurs = results.eligible[0]
    assert kurs.fits == ["Ihr Alter passt."]
    assert results.eligible[1].fits == ["Für dieses Angebot gibt es keine besonderen Regeln."]
    coaching = results.unknown[1]
    assert "Ihr Alter passt." in coaching.fits
    assert "Das Angebot ist besonders für Menschen mit Ihrem Aufenthaltsstatus." in coaching.fits
    assert any("Sozialamt" in s for s in coaching.unclear)
    assert "Bitte fragen Sie nach, ob Sie teilnehmen können." in coaching.unclear
    # no legal jargon for young people
    assert "§" not in " ".join(coaching.fits + coaching.unclear)
    assert "Gefährder" not in text and "AufenthG" not in text.replace("§ 24 AufenthG", "")


def test_offer_details_address_times_costs_contact(world: World, offers: dict[str, Offer]) -> None:
    text = html(Client().get(url(world), {"alter": "22"}))
    assert "Hohenzollernstraße 43, 33330" in text
    assert "Montag, 09:00 bis 12:30 Uhr" in text
    assert "Vom 1. September 2026 bis zum 28. Februar 2027" in text
    assert "12,50 Euro" in text and "Kostenlos" in text
    assert "Sie bekommen die Fahrtkosten zurück." in text
    assert "6 Plätze frei" in text
    assert 'href="tel:+4952411234"' in text  # the offer's own number
    assert 'href="tel:05241850"' in text  # the provider's number as fallback
    assert 'href="mailto:kurs@vhs.example"' in text
    assert "Nur für Frauen." in text


def test_a_thirty_year_old_sees_none_of_the_18_to_27_offers(
    world: World, offers: dict[str, Offer]
) -> None:
    response = Client().get(url(world), {"alter": "30", "status": "duldung"})
    results = response.context["results"]
    shown = keys(results.eligible) + keys(results.unknown)
    assert "kurs" not in shown and "coaching" not in shown and "u21" not in shown
    assert keys(results.eligible) == ["treff"]  # no age limit
    assert results.not_eligible == 3
    assert results.why_not == [("Sie sind zu alt.", 3)]
    assert "Deutschkurs für junge Erwachsene" not in html(response)


def test_women_only_offers_are_unclear_unless_the_person_says_she_is_a_woman(
    world: World, offers: dict[str, Offer]
) -> None:
    """Decision: not ticking "I am a woman" records nothing (a missing fact), so a women-only
    offer is never hidden, but never "fits" either: it is listed under "maybe"."""
    results = Client().get(url(world), {"alter": "22"}).context["results"]
    frauen = next(c for c in results.unknown if c.offer.key == "frauen")
    assert frauen.unclear == ["Dieses Angebot ist nur für Frauen."]
    results = Client().get(url(world), {"alter": "22", "frau": "on"}).context["results"]
    frauen = next(c for c in results.eligible if c.offer.key == "frauen")
    assert frauen.fits == ["Dieses Angebot ist nur für Frauen."]


def test_year_of_birth_on_the_age_limit_depends_on_the_birthday(
    world: World, offers: dict[str, Offer]
) -> None:
    # born 1998: 27 or 28 on 26.11.2026
    results = Client().get(url(world), {"geburtsjahr": "1998"}).context["results"]
    kurs = next(c for c in results.unknown if c.offer.key == "kurs")
    assert kurs.unclear == [
        "Das hängt von Ihrem Geburtstag ab. Bitte geben Sie stattdessen Ihr Alter an."
    ]
    assert "Ihr Alter passt." not in kurs.fits
    # born 2002: 23 or 24, both fine
    results = Client().get(url(world), {"geburtsjahr": "2002"}).context["results"]
    assert "kurs" in keys(results.eligible)


def test_age_becomes_a_birth_date_exactly_that_many_years_ago() -> None:
    form = FinderForm(
        {"alter": "22", "status": "aufenthaltserlaubnis", "deutsch": "A2", "frau": "on"},
        today=TODAY,
        language=BY_CODE["de"],
        gemeinden=[],
        categories=[],
    )
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers.facts == [
        Facts.from_dict(
            {
                "birth_date": "2004-11-26",
                "residence_status": {"kind": "aufenthaltserlaubnis"},  # paragraph unknown
                "german_level": "A2",
                "sex": "female",
            }
        )
    ]
    assert years_before(date(2028, 2, 29), 22) == date(2006, 2, 28)
    unknown = FinderForm(
        {"status": "unbekannt", "deutsch": "unbekannt"},
        today=TODAY,
        language=BY_CODE["de"],
        gemeinden=[],
        categories=[],
    )
    assert unknown.is_valid()
    assert unknown.answers().facts == [Facts()]  # "I don't know" is a missing fact


def test_digits_in_arabic_and_persian_script_are_read() -> None:
    assert parse_number("٢٢") == 22
    assert parse_number("۲۲") == 22
    assert parse_number(" 19 ") == 19
    assert parse_number("19a") is None
    assert parse_number("-1") is None


def test_search_categories_and_other_areas(world: World, offers: dict[str, Offer]) -> None:
    response = Client().get(url(world), {"alter": "22", "suche": ["beratung"]})
    results = response.context["results"]
    assert keys(results.eligible) == [] and keys(results.unknown) == ["coaching"]
    assert results.other_areas == 3  # kurs, treff, frauen are open in other categories
    assert results.not_eligible == 0
    text = html(response)
    assert "Es gibt noch 3 Angebote für Sie in anderen Bereichen." in text
    assert "?alter=22#ergebnis" in text  # "show all areas" drops only the categories


def test_offers_in_the_chosen_gemeinde_come_first(world: World) -> None:
    vhs = make_provider(world.tenant)
    first, second = list(gemeinden_in(world.tenant.territory))[:2]
    far = make_offer(world.tenant, vhs, key="a-far", title="A – anderswo")
    near = make_offer(world.tenant, vhs, key="b-near", title="B – hier")
    OfferLocation.objects.filter(offer=far).update(gemeinde=first)
    OfferLocation.objects.filter(offer=near).update(gemeinde=second)
    response = Client().get(url(world), {"ort": second.ags})
    assert keys(response.context["results"].eligible) == ["b-near", "a-far"]
    assert f'<option value="{second.ags}" lang="de" selected>' in html(response)


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "html_lang", "direction", "heading"),
    [
        ("de", "de", "ltr", "Angebote finden"),
        ("de-ls", "de", "ltr", "Angebote finden"),
        ("en", "en", "ltr", "Find offers"),
        ("ar", "ar", "rtl", "البحث عن عروض"),
        ("fa", "fa", "rtl", "پیدا کردن برنامه‌ها"),
        ("uk", "uk", "ltr", "Знайти пропозиції"),
        ("tr", "tr", "ltr", "Hizmet bulun"),
    ],
)
def test_each_language_has_its_interface_direction_and_lang(
    world: World, lang: str, html_lang: str, direction: str, heading: str
) -> None:
    response = Client().get(url(world, lang), {"alter": "22"})
    text = html(response)
    assert f'<html lang="{html_lang}" dir="{direction}">' in text
    assert f'<h1 class="kern-heading-large">{heading}</h1>' in text
    assert response["Content-Language"] == html_lang
    assert f'aria-current="page">{BY_CODE[lang].name}</a>' in text


def test_offer_text_in_arabic_where_translated_else_german(
    world: World, offers: dict[str, Offer]
) -> None:
    response = Client().get(url(world, "ar"), {"alter": "22"})
    text = html(response)
    assert 'lang="ar" dir="rtl">دورة ألمانية للشباب</h4>' in text
    assert 'lang="de" dir="ltr">Offener Sprachtreff</h4>' in text
    assert "Deutschkurs für junge Erwachsene" not in text
    assert "هذا النص متوفر باللغة الألمانية فقط." in text  # the German text is marked
    assert 'lang="ar" dir="rtl">اللغة</span>' in text  # category name in Arabic
    assert "عمرك مناسب." in text  # reason in Arabic
    assert "الاثنين، من 09:00 إلى 12:30" in text
    # the German term of the papers is kept, isolated and marked as German
    assert '<bdi lang="de" dir="ltr">(Aufenthaltsgestattung)</bdi>' in text


def test_plain_language_mode_shows_the_plain_texts(world: World) -> None:
    vhs = make_provider(world.tenant)
    make_offer(
        world.tenant,
        vhs,
        key="plain",
        title="Sprachkurs mit sozialpädagogischer Begleitung",
        title_plain="Deutsch lernen mit Hilfe",
        description="Integrationskurs nach § 43 AufenthG mit Kinderbetreuung.",
        description_plain="Sie lernen Deutsch. Ihre Kinder werden betreut.",
    )
    plain = html(Client().get(url(world, "de-ls"), {"alter": "22", "status": "duldung"}))
    assert "Deutsch lernen mit Hilfe" in plain
    assert "Sie lernen Deutsch. Ihre Kinder werden betreut." in plain
    assert "sozialpädagogischer" not in plain
    assert "Deutsch lernen" in plain  # the category's plain name as well
    assert "Kostet nichts" in plain and "Sie müssen nicht alle Fragen beantworten." in plain
    assert '<html lang="de" dir="ltr">' in plain
    standard = html(Client().get(url(world, "de"), {"alter": "22"}))
    assert "Sprachkurs mit sozialpädagogischer Begleitung" in standard
    assert "Kostenlos" in standard


# --- bad input ----------------------------------------------------------------------------------


def test_invalid_input_shows_clear_errors_in_the_page_language(
    world: World, offers: dict[str, Offer]
) -> None:
    response = Client().get(url(world), {"alter": "abc", "ort": "99999999", "status": "x"})
    assert response.status_code == 200
    assert response.context["results"] is None
    text = html(response)
    assert "<title>Fehler: Angebote finden" in text
    assert "Bitte prüfen Sie Ihre Angaben" in text
    assert '<a class="kern-link" href="#id_alter">Bitte schreiben Sie Ihr Alter als Zahl' in text
    assert '<a class="kern-link" href="#id_ort">Bitte wählen Sie einen Ort aus der Liste.' in text
    assert '<a class="kern-link" href="#id_status_0">Bitte wählen Sie eine Antwort' in text
    assert 'aria-invalid="true" aria-describedby="id_alter-error"' in text
    assert 'value="abc"' in text  # the answer stays to be corrected

    arabic = html(Client().get(url(world, "ar"), {"alter": "abc"}))
    assert "يرجى كتابة العمر بالأرقام، مثلاً 19." in arabic
    assert "<title>خطأ:" in arabic

    for params, message in [
        ({"alter": "12"}, "Bitte geben Sie ein Alter zwischen 14 und 40 an."),
        ({"geburtsjahr": "1900"}, "Bitte geben Sie ein Geburtsjahr zwischen 1985 und 2012 an."),
        ({"alter": "22", "geburtsjahr": "1990"}, "Alter und Geburtsjahr passen nicht zusammen."),
        ({"suche": ["raumfahrt"]}, "Bitte wählen Sie eine Antwort aus der Liste."),
        ({"alter": "123456789"}, "Bitte schreiben Sie Ihr Alter als Zahl, zum Beispiel 19."),
    ]:
        response = Client().get(url(world), params)
        assert message in html(response), params
        assert response.context["results"] is None


def test_unknown_language_tenant_or_address_is_404_in_the_finder_layout(world: World) -> None:
    client = Client()
    response = client.get(url(world, "xx"))
    assert response.status_code == 404
    text = html(response)
    assert "Seite nicht gefunden" in text and '<html lang="de" dir="ltr">' in text
    assert f'href="{url(world, "ar")}"' in text  # the languages that exist
    assert_private(response)

    unknown = reverse("finder:finder", kwargs={"tenant": uuid.uuid4(), "lang": "ar"})
    response = client.get(unknown)
    assert response.status_code == 404
    assert "الصفحة غير موجودة" in html(response)
    assert client.get(reverse("finder:start", kwargs={"tenant": uuid.uuid4()})).status_code == 404

    world.other_tenant.is_active = False
    world.other_tenant.save()
    assert client.get(url(world, tenant=world.other_tenant)).status_code == 404
    for path in ("/finden/", "/finden/abc/", f"/finden/{world.tenant.public_id}/de/mehr/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert_private(response)


def test_another_tenants_offers_never_appear(world: World, offers: dict[str, Offer]) -> None:
    other = make_provider(world.other_tenant, name="Träger in Bielefeld")
    make_offer(world.other_tenant, other, key="bi", title="Bielefelder Sprachcafé")
    response = Client().get(url(world), {"alter": "22"})
    results = response.context["results"]
    shown = keys(results.eligible) + keys(results.unknown)
    assert "bi" not in shown
    assert len(shown) + results.not_eligible == len(offers)
    assert "Bielefelder Sprachcafé" not in html(response)
    # and the other way round
    response = Client().get(url(world, tenant=world.other_tenant), {"alter": "22"})
    assert keys(response.context["results"].eligible) == ["bi"]
    bielefeld = Territory.objects.get(ags="05711")
    assert [g.ags for g in response.context["form"].gemeinden] == [bielefeld.ags]
    # a kreisfreie Stadt: its 5-digit key becomes the 8-digit Gemeindeschlüssel
    response = Client().get(url(world, tenant=world.other_tenant), {"ort": "05711"})
    assert response.status_code == 200
    assert keys(response.context["results"].eligible) == ["bi"]


def test_query_count_does_not_grow_with_the_offers(
    world: World, django_assert_max_num_queries: Any
) -> None:
    rules = _target_group_rules(world)
    vhs = make_provider(world.tenant)
    params = {"alter": "22", "status": "duldung", "suche": ["sprache", "beratung"]}

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get(url(world), params).status_code == 200
        return len(ctx.captured_queries)

    make_offer(world.tenant, vhs, key="o-0", rule_set=rules)
    few = count()
    for i in range(1, 25):
        make_offer(world.tenant, vhs, key=f"o-{i}", rule_set=rules if i % 2 else None)
    assert count() == few
    with django_assert_max_num_queries(7):
        Client().get(url(world), params)


def test_reason_sentences_fall_back_to_generic_ones() -> None:
    assert reasons.passed_sentences([]) == [str(reasons.NO_RULES)]
    assert reasons.unclear_sentences([]) == [str(reasons.GENERIC_UNKNOWN)]
    assert reasons.failed_sentences([]) == [str(reasons.GENERIC_FAILED)]


# --- long result lists --------------------------------------------------------------------------


def test_long_result_lists_show_the_best_twenty_then_all_on_request(world: World) -> None:
    from teilhabe.finder.views import SHOWN_PER_GROUP

    vhs = make_provider(world.tenant)
    for i in range(SHOWN_PER_GROUP + 3):
        make_offer(world.tenant, vhs, key=f"k{i:02d}", title=f"Kurs {i:02d}")
    response = Client().get(url(world), {"ort": ""})
    page = html(response)
    assert len(response.context["results"].eligible) == SHOWN_PER_GROUP + 3
    assert page.count('class="fi-offer"') == SHOWN_PER_GROUP
    assert "Kurs 19" in page and "Kurs 22" not in page  # ranked by title here
    assert "Alle 23 passenden Angebote anzeigen" in page
    everything = html(Client().get(url(world), {"ort": "", "alle": "1"}))
    assert everything.count('class="fi-offer"') == SHOWN_PER_GROUP + 3
    assert "Kurs 22" in everything and "Alle 23 passenden" not in everything


# --- answer pages kept in memory ----------------------------------------------------------------


def test_the_same_answers_come_from_memory_until_the_directory_or_the_day_changes(
    world: World, offers: dict[str, Offer], monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"alter": "22", "status": "duldung"}
    first = Client().get(url(world), params)
    assert "Deutschkurs für junge Erwachsene" in html(first)
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(url(world), params)
    # the tenant and the directory's version token, nothing else
    assert len(queries.captured_queries) == 2, [q["sql"] for q in queries.captured_queries]
    assert again.content == first.content
    assert_private(again)
    assert again["Content-Language"] == "de"

    # other answers, another language: their own pages
    older = html(Client().get(url(world), {"alter": "30", "status": "duldung"}))
    assert "Deutschkurs für junge Erwachsene" not in older
    assert 'dir="rtl"' in html(Client().get(url(world, "ar"), params))

    # any change to the directory is seen at once
    kurs = offers["kurs"]
    kurs.title = "Deutschkurs B1 für junge Erwachsene"
    kurs.save()
    changed = html(Client().get(url(world), params))
    assert "Deutschkurs B1 für junge Erwachsene" in changed
    kurs.status = "beendet"
    kurs.save()
    assert "Deutschkurs B1" not in html(Client().get(url(world), params))

    # the next day is computed again (ages and dates depend on it)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 27))
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url(world), params).status_code == 200
    assert len(queries.captured_queries) > 2

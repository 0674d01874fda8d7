"""Example tests for the F2 exclusion ``no_statutory_work_ban`` (DOMAIN.md 4.3 R5, 8.3 E3,
10.2 rule 4) and the informational ``work_permission`` criterion of ``diaa.f2``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from teilhabe.eligibility import Status

from .support import F1, F2, check

F2_MESSAGE = "Nicht förderfähig in F2: gesetzliches Beschäftigungsverbot (§ 60a Abs. 6 AufenthG)"


def test_explicit_ban_excludes_from_f2_only() -> None:
    """DiAA FAQ Allgemein (DOMAIN.md 4.3 R5): people under a statutory employment ban are
    excluded from F2 — the other Bausteine stay open (R6: Bausteine are independent)."""
    decision = check(F2, work_permission="banned")
    result = decision.result("no_statutory_work_ban")
    assert (result.status, result.reason_code) == ("failed", "WORK_BAN_EXPLICIT")
    assert result.message_de.startswith(F2_MESSAGE)
    assert decision.status == Status.NOT_ELIGIBLE
    assert check(F1, work_permission="banned").status == Status.ELIGIBLE


def test_safe_country_request_after_cutoff_is_banned() -> None:
    """§ 60a Abs. 6 S. 1 Nr. 3 AufenthG (DOMAIN.md 8.3 E3, buzer.de/gesetz/6406): Geduldete
    from a safe country of origin whose asylum request was after 31.08.2015."""
    decision = check(F2, nationality="AL", first_asylum_request="2015-09-01")
    result = decision.result("no_statutory_work_ban")
    assert (result.status, result.reason_code) == ("failed", "WORK_BAN_SAFE_COUNTRY")
    assert result.message_de.startswith(F2_MESSAGE)
    assert "AL" in result.message_de and "01.09.2015" in result.message_de
    assert decision.status == Status.NOT_ELIGIBLE


@pytest.mark.parametrize("request_date", ["2015-08-31", "2014-03-01"])
def test_safe_country_request_on_or_before_cutoff_is_not_banned(request_date: str) -> None:
    """DOMAIN.md 8.3 E3: the Stichtag 31.08.2015 refers to the first asylum request
    (Nachsuchen, VG Göttingen 1 A 340/17); a request on or before it is no ban ground."""
    result = check(F2, nationality="XK", first_asylum_request=request_date).result(
        "no_statutory_work_ban"
    )
    assert (result.status, result.reason_code) == ("passed", "NO_WORK_BAN")


@pytest.mark.parametrize("country", ["AL", "BA", "ME", "MK", "RS", "XK", "GH", "SN"])
def test_all_listed_safe_countries_trigger_the_ban(country: str) -> None:
    """DOMAIN.md 8.1: Western Balkans, Ghana, Senegal (Anlage II AsylG, dated table)."""
    result = check(F2, nationality=country, first_asylum_request="2016-01-01").result(
        "no_statutory_work_ban"
    )
    assert result.reason_code == "WORK_BAN_SAFE_COUNTRY"


def test_safe_country_rule_applies_to_duldung_only() -> None:
    """DOMAIN.md 8.3 E3: the § 60a Abs. 6 ban concerns Geduldete; Gestattete from safe
    countries live in the Aufnahmeeinrichtung (excluded by R4), not modelled here."""
    result = check(
        F2,
        nationality="AL",
        first_asylum_request="2016-01-01",
        residence_status={"kind": "gestattung"},
    ).result("no_statutory_work_ban")
    assert result.reason_code == "NO_WORK_BAN"


def test_non_safe_country_is_not_banned() -> None:
    """DOMAIN.md 8.3 E3: the rule needs a safe country of origin."""
    decision = check(F2, nationality="SY", first_asylum_request="2019-01-01")
    assert decision.result("no_statutory_work_ban").reason_code == "NO_WORK_BAN"
    assert decision.status == Status.ELIGIBLE


@pytest.mark.parametrize("country", ["GE", "MD"])
def test_georgia_moldova_safe_only_since_23_12_2023(country: str) -> None:
    """asyl.net (DOMAIN.md 8.1, 8.3 E3): Georgia and Moldova are safe countries since
    23.12.2023 — before that date no safe-country ban."""
    kwargs = {"nationality": country, "first_asylum_request": "2023-10-01"}
    before = check(F2, on=date(2023, 12, 22), **kwargs).result("no_statutory_work_ban")
    after = check(F2, on=date(2023, 12, 23), **kwargs).result("no_statutory_work_ban")
    assert before.reason_code == "NO_WORK_BAN"
    assert after.reason_code == "WORK_BAN_SAFE_COUNTRY"


def test_georgia_altfall_request_before_30_08_2023_is_not_banned() -> None:
    """§ 104 Abs. 18 AufenthG (buzer.de/gesetz/16198; DOMAIN.md 8.3 E3 "Georgians/
    Moldovans present on 30.08.2023"): no ban for a first asylum request by 30.08.2023."""
    on = date(2024, 3, 1)
    altfall = check(F2, on=on, nationality="GE", first_asylum_request="2023-08-30").result(
        "no_statutory_work_ban"
    )
    assert (altfall.status, altfall.reason_code) == ("passed", "WORK_BAN_ALTFALL_EXCEPTION")
    late = check(F2, on=on, nationality="GE", first_asylum_request="2023-08-31").result(
        "no_statutory_work_ban"
    )
    assert late.reason_code == "WORK_BAN_SAFE_COUNTRY"


@pytest.mark.parametrize(
    ("missing", "fact"),
    [
        ({"nationality": None}, "nationality"),
        ({"first_asylum_request": None, "nationality": "RS"}, "first_asylum_request"),
        ({"work_permission": None}, "work_permission"),
        ({"residence_status": None}, "residence_status"),
    ],
)
def test_missing_facts_make_the_ban_unknown(missing: dict[str, Any], fact: str) -> None:
    """DOMAIN.md 8.3 E3: without nationality, first request date, status or the recorded
    permission the ban cannot be ruled out — unknown, never passed."""
    decision = check(F2, **missing)
    result = decision.result("no_statutory_work_ban")
    assert (result.status, result.reason_code) == ("unknown", "FACT_MISSING")
    assert fact in result.missing_facts
    assert decision.status == Status.UNKNOWN


def test_work_permission_is_reported_but_not_required() -> None:
    """Richtlinie Nr. 2.2 / DOMAIN.md 8.3 E7: F2 is berufsbegleitend; the permission is
    reported with a hint, it does not decide."""
    decision = check(F2, work_permission="needs_approval")
    result = decision.result("work_permission")
    assert (result.status, result.reason_code, result.required) == (
        "failed",
        "WORK_NOT_PERMITTED",
        False,
    )
    assert result.hint_de == "Beschäftigungserlaubnis bei der Ausländerbehörde beantragen"
    assert decision.status == Status.ELIGIBLE
    assert check(F2, work_permission="permitted").result("work_permission").status == "passed"

"""Example tests for every criterion of the shipped rule set ``diaa.target_group``
(DOMAIN.md 4.3 R1, R2, R4; 10.2 rules 1–3, 9).  Each docstring names the source."""

from __future__ import annotations

from datetime import date

import pytest

from teilhabe.eligibility import Facts, Status, evaluate

from .support import F1, RULE_SETS, TARGET, check

# --- R2 age: "in der Regel 18, nicht älter als 27" ----------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "status", "reason"),
    [
        ("2003-03-02", "failed", "AGE_BELOW_MIN"),  # 17, turns 18 the next day
        ("2003-03-01", "passed", "AGE_IN_RANGE"),  # 18th birthday on the reference date
        ("1993-03-02", "passed", "AGE_IN_RANGE"),  # 27, turns 28 the next day
        ("1993-03-01", "failed", "AGE_ABOVE_MAX"),  # 28th birthday on the reference date
    ],
)
def test_age_boundaries_18_and_27_inclusive(birth_date: str, status: str, reason: str) -> None:
    """Richtlinie DiAA Nr. 1.1, FAQ Allgemein (DOMAIN.md 4.3 R2): usually 18, not older
    than 27 — 27 is inclusive, the 28th birthday ends it.
    https://recht.nrw.de/lmi/owa/br_vbl_detail_text?anw_nr=7&vd_id=18229&vd_back=N29&sg=1&menu=1"""
    result = check(TARGET, birth_date=birth_date).result("age")
    assert (result.status, result.reason_code) == (status, reason)


def test_age_17_hint_names_18th_birthday() -> None:
    """DOMAIN.md 4.3 R2: the hint says when the person turns 18 (German date format)."""
    decision = check(TARGET, birth_date="2003-03-14")
    result = decision.result("age")
    assert decision.status == Status.NOT_ELIGIBLE
    assert result.hint_de is not None and "wird am 14.03.2021 18 Jahre alt" in result.hint_de
    assert result.hint_en is not None and "turns 18 on 14.03.2021" in result.hint_en


def test_age_27_hint_names_28th_birthday() -> None:
    """DOMAIN.md 4.3 R2: a 27-year-old leaves the group on the 28th birthday."""
    result = check(TARGET, birth_date="1993-06-20").result("age")
    assert result.status == "passed"
    assert result.hint_de == "wird am 20.06.2021 28 Jahre alt und verlässt damit die Altersgruppe"
    assert result.hint_en == "turns 28 on 20.06.2021 and thereby leaves the age group"


def test_age_29_february_birthday_counts_from_1_march() -> None:
    """§ 187 Abs. 2, § 188 Abs. 3 BGB: born 29.02., a year is completed at the end of 28.02.
    in a common year, so the 18th birthday falls on 01.03."""
    on_28 = check(TARGET, on=date(2022, 2, 28), birth_date="2004-02-29").result("age")
    on_1 = check(TARGET, on=date(2022, 3, 1), birth_date="2004-02-29").result("age")
    assert on_28.reason_code == "AGE_BELOW_MIN"
    assert on_28.hint_de is not None and "01.03.2022" in on_28.hint_de
    assert on_1.reason_code == "AGE_IN_RANGE"


@pytest.mark.parametrize("birth_date", ["1990-01-01", "2004-01-01"])
def test_age_exception_with_reason_passes(birth_date: str) -> None:
    """DOMAIN.md 4.3 R2: exceptions to the age limits in begründeten Einzelfällen, with a
    recorded reason (AGE_EXCEPTION)."""
    decision = check(TARGET, birth_date=birth_date, age_exception_reason="Maßnahme begonnen")
    result = decision.result("age")
    assert (result.status, result.reason_code) == ("passed", "AGE_EXCEPTION")
    assert "Maßnahme begonnen" in result.message_de
    assert "dokumentierten Begründung" in result.message_de
    assert "recorded justification" in result.message_en
    assert decision.status == Status.ELIGIBLE


def test_age_exception_with_blank_reason_does_not_count() -> None:
    """DOMAIN.md 4.3 R2: an exception needs a reason; a blank text is no reason."""
    result = check(TARGET, birth_date="1990-01-01", age_exception_reason="   ").result("age")
    assert result.reason_code == "AGE_ABOVE_MAX"
    assert result.hint_de is not None and "begründeten Einzelfall" in result.hint_de


def test_age_missing_birth_date_is_unknown() -> None:
    """DOMAIN.md 4.3 R2: without a birth date the age cannot be checked."""
    decision = check(TARGET, birth_date=None)
    result = decision.result("age")
    assert (result.status, result.reason_code) == ("unknown", "FACT_MISSING")
    assert result.hint_de == "Angabe fehlt: Geburtsdatum"
    assert result.hint_en == "missing: birth date"
    assert decision.status == Status.UNKNOWN
    assert decision.missing_facts == ["birth_date"]


def test_age_birth_date_after_reference_date_is_unknown() -> None:
    """Data error, not a rule: a birth date after the reference date is never a pass."""
    result = check(TARGET, birth_date="2022-01-01").result("age")
    assert (result.status, result.reason_code) == ("unknown", "BIRTH_DATE_AFTER_REFERENCE")


# --- R1 target group: "insbesondere Geflüchtete mit Duldung oder Gestattung" ---------------


@pytest.mark.parametrize(
    "status",
    [
        {"kind": "duldung", "paragraph": "60a"},
        {"kind": "duldung", "paragraph": "60a_2_3"},
        {"kind": "duldung", "paragraph": "60b"},
        {"kind": "duldung", "paragraph": "60c"},
        {"kind": "duldung", "paragraph": "60d"},
        {"kind": "duldung"},
        {"kind": "gestattung"},
        {"kind": "ankunftsnachweis"},
    ],
)
def test_duldung_and_gestattung_are_priority_group(status: dict[str, str]) -> None:
    """Richtlinie DiAA Nr. 1.1 (DOMAIN.md 4.3 R1): in particular refugees with Duldung or
    Gestattung (§ 55 AsylG; the Ankunftsnachweis counts with the Gestattung, DOMAIN.md 8.1)."""
    decision = check(TARGET, residence_status=status)
    assert decision.result("residence_status").reason_code == "STATUS_PREFERRED"
    assert decision.status == Status.ELIGIBLE


def test_other_status_is_allowed_but_not_priority() -> None:
    """DOMAIN.md 4.3 R1 "insbesondere": other young people with individual support needs
    are possible (Kreis Gütersloh example); the status itself never excludes."""
    decision = check(
        TARGET,
        residence_status={"kind": "aufenthaltserlaubnis", "paragraph": "25_5"},
        benefits="asylblg",
    )
    assert decision.result("residence_status").reason_code == "STATUS_ALLOWED_NOT_PREFERRED"
    assert decision.status == Status.ELIGIBLE


def test_eu_citizen_without_benefits_is_eligible() -> None:
    """DOMAIN.md 4.3 R1 (Kreis Gütersloh: young immigrants from south-eastern Europe):
    no residence title needed, no SGB access."""
    decision = check(TARGET, residence_status={"kind": "none"}, nationality="RO", benefits="none")
    assert decision.status == Status.ELIGIBLE


def test_status_validity_hint_and_expiry() -> None:
    """DOMAIN.md 8 [LAW-DATE]: a status is dated; the hint names its end, an expired status
    makes the criterion unknown (the current one must be recorded)."""
    valid = check(
        TARGET, residence_status={"kind": "duldung", "paragraph": "60a", "until": "2021-06-30"}
    ).result("residence_status")
    assert valid.hint_de == "Status gültig bis 30.06.2021"
    assert valid.hint_en == "status valid until 30.06.2021"
    expired = check(
        TARGET, residence_status={"kind": "duldung", "paragraph": "60a", "until": "2021-02-28"}
    )
    result = expired.result("residence_status")
    assert (result.status, result.reason_code) == ("unknown", "STATUS_EXPIRED")
    assert expired.status == Status.UNKNOWN


@pytest.mark.parametrize("status", [None, {"kind": "unknown"}])
def test_missing_residence_status_is_unknown(status: object) -> None:
    """DOMAIN.md 4.3 R1: the priority group depends on the status; missing -> unknown."""
    decision = check(TARGET, residence_status=status)
    assert decision.result("residence_status").status == "unknown"
    assert decision.status == Status.UNKNOWN
    assert "residence_status" in decision.missing_facts


# --- R1 benefit access: "keine oder nur nachrangige Zugänge zu SGB-Leistungen und
#     Integrationskursen" --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("benefits", "course", "status", "reason"),
    [
        ("asylblg", False, "passed", "BENEFIT_ACCESS_LIMITED"),
        ("asylblg", True, "passed", "BENEFIT_ACCESS_LIMITED"),  # subordinate course access
        ("none", None, "passed", "BENEFIT_ACCESS_LIMITED"),
        ("sgb2", False, "passed", "BENEFIT_ACCESS_LIMITED"),
        (None, False, "passed", "BENEFIT_ACCESS_LIMITED"),
        ("sgb2", True, "failed", "BENEFIT_ACCESS_FULL"),
        ("sgb12", True, "failed", "BENEFIT_ACCESS_FULL"),
        ("sgb2", None, "unknown", "FACT_MISSING"),
        (None, None, "unknown", "FACT_MISSING"),
    ],
)
def test_benefit_access_priority_group(
    benefits: str | None, course: bool | None, status: str, reason: str
) -> None:
    """Richtlinie DiAA Nr. 1.1 (DOMAIN.md 4.3 R1): no or only subordinate access to SGB
    benefits and integration courses (benefits AsylbLG/none OR no course access)."""
    result = check(TARGET, benefits=benefits, integration_course_access=course).result(
        "benefit_access"
    )
    assert (result.status, result.reason_code) == (status, reason)


def test_recognised_refugee_with_sgb2_needs_documented_support_need() -> None:
    """DOMAIN.md 4.3 R1 "insbesondere" + 10.2 rule 2: other people with individual support
    needs are allowed — with a recorded support_need_reason (OTHER_SUPPORT_NEED)."""
    kwargs = {
        "residence_status": {"kind": "aufenthaltserlaubnis", "paragraph": "25_2"},
        "benefits": "sgb2",
        "integration_course_access": True,
    }
    without = check(TARGET, **kwargs)
    assert without.status == Status.NOT_ELIGIBLE
    hint = without.result("benefit_access").hint_de
    assert hint is not None and "Unterstützungsbedarf" in hint
    with_reason = check(TARGET, support_need_reason="Ausbildungsabbruch droht", **kwargs)
    result = with_reason.result("benefit_access")
    assert (result.status, result.reason_code) == ("passed", "OTHER_SUPPORT_NEED")
    assert with_reason.status == Status.ELIGIBLE


# --- R4 general exclusions -----------------------------------------------------------------


def test_state_facility_excludes() -> None:
    """DiAA FAQ Allgemein (DOMAIN.md 4.3 R4), SZ 09.04.2019: people in state facilities
    (Landeseinrichtungen) are not the target group; only those assigned to a Kommune."""
    decision = check(TARGET, lives_in_state_facility=True)
    result = decision.result("not_in_state_facility")
    assert (result.status, result.reason_code) == ("failed", "STATE_FACILITY")
    assert result.hint_de == "nach Zuweisung an eine Kommune erneut prüfen"
    assert decision.status == Status.NOT_ELIGIBLE
    assert check(TARGET, lives_in_state_facility=None).status == Status.UNKNOWN


def test_security_exclusion_excludes() -> None:
    """DiAA FAQ Allgemein (DOMAIN.md 4.3 R4): Gefährder/Kriminelle are excluded."""
    decision = check(TARGET, security_exclusion=True)
    assert decision.result("no_security_exclusion").reason_code == "SECURITY_EXCLUSION"
    assert decision.status == Status.NOT_ELIGIBLE
    assert check(TARGET, security_exclusion=None).status == Status.UNKNOWN


def test_exclusion_wins_over_unknown() -> None:
    """DOMAIN.md 10.2 rule 3: a failed required criterion decides even if others are
    unknown."""
    decision = check(TARGET, lives_in_state_facility=True, birth_date=None, benefits=None)
    assert decision.status == Status.NOT_ELIGIBLE


# --- period: Richtlinie Nr. 6.1 (as amended) and the practical extension -------------------


@pytest.mark.parametrize(
    ("on", "status", "reason"),
    [
        (date(2019, 12, 17), "failed", "PERIOD_NOT_STARTED"),
        (date(2019, 12, 18), "passed", "PERIOD_OK"),
        (date(2022, 12, 31), "passed", "PERIOD_OK"),
        (date(2023, 1, 1), "passed", "PERIOD_EXTENSION"),
        (date(2023, 6, 30), "passed", "PERIOD_EXTENSION"),
        (date(2023, 7, 1), "failed", "PERIOD_ENDED"),
    ],
)
def test_programme_period(on: date, status: str, reason: str) -> None:
    """Richtlinie DiAA of 18.12.2019, Nr. 6.1 as amended 16.04.2020 (until 31.12.2022,
    extension in justified single cases); durchstarten.nrw F6 page: until 30.06.2023
    (DOMAIN.md 1, 4.2). Continuation beyond is [UNVERIFIED] and configurable."""
    decision = evaluate(Facts(), F1, on=on)
    result = decision.result("programme_period")
    assert (result.status, result.reason_code) == (status, reason)
    if status == "failed":
        assert decision.status == Status.NOT_ELIGIBLE


def test_period_hint_names_end() -> None:
    """DOMAIN.md 4.2: the hint says when the period ends."""
    result = check(F1).result("programme_period")
    assert result.hint_de == "Programmzeitraum endet am 30.06.2023"
    assert result.hint_en == "programme period ends on 30.06.2023"


def test_period_is_reported_but_not_required_in_target_group() -> None:
    """Design decision (docs/eligibility.md): the target group describes the person; the
    period decides per Förderbaustein (F1–F5)."""
    on = date(2026, 3, 1)
    target = check(TARGET, on=on, birth_date="2002-01-01")
    assert target.result("programme_period").reason_code == "PERIOD_ENDED"
    assert target.status == Status.ELIGIBLE
    assert check(F1, on=on, birth_date="2002-01-01").status == Status.NOT_ELIGIBLE


def test_base_person_is_eligible_everywhere_in_period() -> None:
    """The fixture person (Duldung, AsylbLG, 20 years) is in the target group and eligible
    for every Förderbaustein F1–F5 during the period (DOMAIN.md 4.3, 4.4)."""
    for code, rule_set in RULE_SETS.items():
        assert check(rule_set).status == Status.ELIGIBLE, code

"""The generic criterion kinds with their parameters, as the offer directory uses them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from teilhabe.eligibility import Facts, RuleSet, Status, evaluate, rule_set_from_dict

ON = date(2025, 6, 1)


def one(kind: str, params: dict[str, Any], **rule_set: Any) -> RuleSet:
    return rule_set_from_dict(
        {
            "code": "offer.x",
            "name_de": "Angebot",
            "name_en": "Offer",
            "valid_from": "2024-01-01",
            **rule_set,
            "criteria": [{"code": "c", "kind": kind, "params": params, "source": "test"}],
        }
    )


def result_of(rule_set: RuleSet, facts: Facts, context: dict[str, Any] | None = None) -> Any:
    return evaluate(facts, rule_set, on=ON, context=context).results[0]


@pytest.mark.parametrize(
    ("level", "status", "reason"),
    [
        ("A0", "failed", "LANGUAGE_BELOW_MIN"),
        ("A2", "passed", "LANGUAGE_LEVEL_OK"),
        ("B1", "passed", "LANGUAGE_LEVEL_OK"),
        ("B2", "failed", "LANGUAGE_ABOVE_MAX"),
        (None, "unknown", "FACT_MISSING"),
    ],
)
def test_min_language_level(level: str | None, status: str, reason: str) -> None:
    rule_set = one("min_language_level", {"min_level": "A2", "max_level": "B1"})
    result = result_of(rule_set, Facts(german_level=level))
    assert (result.status, result.reason_code) == (status, reason)
    if reason == "LANGUAGE_BELOW_MIN":
        assert result.hint_de == "erforderlich: mindestens A2"
    if level is None:
        assert result.hint_de == "Angabe fehlt: Deutschniveau"


def test_residence_in_area_from_context_and_params() -> None:
    rule_set = one("residence_in_area", {})
    facts = Facts(municipality_ags="05754008")  # Gütersloh
    assert result_of(rule_set, facts, {"area_ags": ["05754"]}).reason_code == "IN_AREA"
    assert result_of(rule_set, facts, {"area_ags": "05711000"}).reason_code == "OUTSIDE_AREA"
    missing = result_of(rule_set, facts)
    assert (missing.status, missing.reason_code) == ("unknown", "AREA_NOT_CONFIGURED")
    assert result_of(rule_set, Facts(), {"area_ags": ["05754"]}).reason_code == "FACT_MISSING"
    fixed = one("residence_in_area", {"ags_prefixes": ["05754"]})
    assert result_of(fixed, facts).reason_code == "IN_AREA"
    assert result_of(fixed, facts, {"area_ags": ["05711"]}).reason_code == "OUTSIDE_AREA"
    with pytest.raises(ValueError, match="AGS"):
        result_of(rule_set, facts, {"area_ags": [5754]})


def test_residence_status_list_with_paragraphs() -> None:
    rule_set = one(
        "residence_status",
        {
            "allowed": [
                "gestattung",
                "duldung:60c",
                {"kind": "aufenthaltserlaubnis", "paragraphs": ["25_5", "104c"]},
            ],
            "preferred": ["duldung:60c"],
        },
    )

    def reason(status: dict[str, Any]) -> str:
        facts = Facts.from_dict({"residence_status": status})
        return str(result_of(rule_set, facts).reason_code)

    assert reason({"kind": "duldung", "paragraph": "60c"}) == "STATUS_PREFERRED"
    assert reason({"kind": "gestattung"}) == "STATUS_ALLOWED_NOT_PREFERRED"
    assert reason({"kind": "aufenthaltserlaubnis", "paragraph": "104c"}) == (
        "STATUS_ALLOWED_NOT_PREFERRED"
    )
    assert reason({"kind": "duldung", "paragraph": "60a"}) == "STATUS_NOT_ALLOWED"
    assert reason({"kind": "niederlassungserlaubnis"}) == "STATUS_NOT_ALLOWED"
    assert reason({"kind": "duldung"}) == "FACT_MISSING"  # which Duldung decides
    assert reason({"kind": "gestattung", "since": "2025-07-01"}) == "STATUS_NOT_YET_VALID"
    failed = result_of(rule_set, Facts.from_dict({"residence_status": "none"}))
    assert failed.hint_de.startswith("zulässig: Aufenthaltsgestattung")


def test_residence_status_without_preference_and_without_validity_check() -> None:
    rule_set = one("residence_status", {"allowed": ["duldung"], "check_validity": False})
    facts = Facts.from_dict({"residence_status": {"kind": "duldung", "until": "2020-01-01"}})
    assert result_of(rule_set, facts).reason_code == "STATUS_ALLOWED"


@pytest.mark.parametrize(
    ("benefits", "course", "status"),
    [
        ("asylblg", False, "passed"),
        ("asylblg", True, "failed"),
        ("sgb2", False, "failed"),
        ("asylblg", None, "unknown"),
        ("sgb2", None, "failed"),
    ],
)
def test_benefit_access_combine_all_as_hard_requirement(
    benefits: str, course: bool | None, status: str
) -> None:
    rule_set = one("benefit_access", {"combine": "all"})
    facts = Facts(benefits=benefits, integration_course_access=course, support_need_reason="x")
    assert result_of(rule_set, facts).status == status


def test_benefit_access_without_course_check() -> None:
    rule_set = one(
        "benefit_access", {"check_integration_course": False, "allowed_benefits": ["asylblg"]}
    )
    assert result_of(rule_set, Facts(benefits="none", integration_course_access=False)).status == (
        "failed"
    )
    assert result_of(rule_set, Facts(integration_course_access=False)).missing_facts == (
        "benefits",
    )


def test_work_permission_accepted_values() -> None:
    rule_set = one("work_permission_required", {"accepted": ["permitted", "needs_approval"]})
    assert result_of(rule_set, Facts(work_permission="needs_approval")).status == "passed"
    banned = result_of(rule_set, Facts(work_permission="banned"))
    assert (banned.status, banned.hint_de) == ("failed", None)
    assert result_of(rule_set, Facts()).status == "unknown"


def test_within_period_from_params_and_open_end() -> None:
    fixed = one("within_period", {"from": "2025-01-01", "until": "2025-05-31"})
    assert result_of(fixed, Facts()).reason_code == "PERIOD_ENDED"
    open_end = one("within_period", {})
    result = result_of(open_end, Facts())
    assert (result.reason_code, result.hint_de) == ("PERIOD_OK", None)
    assert "ab 01.01.2024" in result.message_de


@pytest.mark.parametrize(
    ("params", "birth", "reason"),
    [
        ({"min_age": 16}, "2010-01-01", "AGE_BELOW_MIN"),
        ({"min_age": 16}, "1950-01-01", "AGE_IN_RANGE"),
        ({"max_age": 26}, "1998-06-01", "AGE_ABOVE_MAX"),
        ({"max_age": 26}, "1998-06-02", "AGE_IN_RANGE"),
    ],
)
def test_age_range_open_bounds_without_exception(
    params: dict[str, int], birth: str, reason: str
) -> None:
    """An offer's own age limit (e.g. Jugendintegrationskurs: under 27) allows no exception."""
    facts = Facts.from_dict({"birth_date": birth, "age_exception_reason": "Einzelfall"})
    result = result_of(one("age_range", params), facts)
    assert result.reason_code == reason
    assert result.hint_de is None or "Ausnahme" not in result.hint_de


def test_non_required_failure_does_not_decide() -> None:
    rule_set = rule_set_from_dict(
        {
            "code": "offer.y",
            "name_de": "Angebot",
            "name_en": "Offer",
            "valid_from": "2024-01-01",
            "criteria": [
                {
                    "code": "lang",
                    "kind": "min_language_level",
                    "required": False,
                    "params": {"min_level": "B2"},
                },
                {"code": "area", "kind": "residence_in_area", "params": {"ags_prefixes": ["05"]}},
            ],
        }
    )
    decision = evaluate(Facts(german_level="A1", municipality_ags="05754008"), rule_set, on=ON)
    assert decision.status == Status.ELIGIBLE and decision.eligible
    assert [r.status for r in decision.results] == ["failed", "passed"]


def test_evaluate_rejects_datetime() -> None:
    from datetime import datetime

    with pytest.raises(TypeError):
        evaluate(Facts(), one("within_period", {}), on=datetime(2025, 1, 1))  # type: ignore[arg-type]

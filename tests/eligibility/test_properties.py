"""Property tests (hypothesis) for the invariants of the engine:

* a failed required criterion is never eligible; eligible means every required one passed;
* unknown facts never yield eligible: removing a fact never turns "not eligible" into
  "eligible", and a person with no facts is never eligible;
* the decision does not depend on the order of the criteria;
* rule sets, facts and decisions round-trip through their JSON forms.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from teilhabe.eligibility import (
    ASYLUM_DECISIONS,
    BENEFITS,
    GERMAN_LEVELS,
    SEXES,
    WORK_PERMISSIONS,
    Facts,
    ResidenceStatus,
    RuleSet,
    Status,
    evaluate,
    load_residence_status_catalogue,
    rule_set_from_dict,
)

from .support import RULE_SETS

CATALOGUE = load_residence_status_catalogue()
KIND_CODES = CATALOGUE.codes()
COUNTRIES = ["AL", "XK", "RS", "GH", "GE", "MD", "SY", "AF", "IQ", "RO", "UA"]
AGS = ["05754008", "05754028", "05711000", "05315000", "05958044"]

dates = st.dates(min_value=date(1985, 1, 1), max_value=date(2027, 12, 31))
reference_dates = st.dates(min_value=date(2019, 6, 1), max_value=date(2026, 12, 31))


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def residence_statuses(draw: st.DrawFn) -> ResidenceStatus:
    kind = draw(st.sampled_from(KIND_CODES))
    info = CATALOGUE.get(kind)
    assert info is not None
    paragraph = (
        draw(opt(st.sampled_from([p.code for p in info.paragraphs]))) if info.paragraphs else None
    )
    since = draw(opt(dates))
    until = draw(opt(dates))
    if since is not None and until is not None and until < since:
        since, until = until, since
    return ResidenceStatus(kind, paragraph, since, until)


facts_strategy = st.builds(
    Facts,
    birth_date=opt(st.dates(min_value=date(1985, 1, 1), max_value=date(2010, 12, 31))),
    sex=opt(st.sampled_from(SEXES)),
    nationality=opt(st.sampled_from(COUNTRIES)),
    residence_status=opt(residence_statuses()),
    entry_date=opt(dates),
    first_asylum_request=opt(dates),
    asylum_decision=opt(st.sampled_from(ASYLUM_DECISIONS)),
    benefits=opt(st.sampled_from(BENEFITS)),
    work_permission=opt(st.sampled_from(WORK_PERMISSIONS)),
    integration_course_access=opt(st.booleans()),
    lives_in_state_facility=opt(st.booleans()),
    security_exclusion=opt(st.booleans()),
    age_exception_reason=opt(st.sampled_from(["Einzelfall", "Maßnahme läuft"])),
    support_need_reason=opt(st.just("Unterstützungsbedarf")),
    municipality_ags=opt(st.sampled_from(AGS)),
    german_level=opt(st.sampled_from(GERMAN_LEVELS)),
)

status_specs = st.sampled_from(
    [
        "duldung",
        "gestattung",
        "duldung:60c",
        "aufenthaltserlaubnis:25_5",
        "none",
        {"kind": "aufenthaltserlaubnis", "paragraphs": ["25_1", "25_2"]},
    ]
)

criterion_params: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "age_range": st.fixed_dictionaries(
        {
            "min_age": st.integers(14, 20),
            "max_age": st.integers(21, 30),
            "allow_exception": st.booleans(),
        }
    ),
    "residence_status": st.fixed_dictionaries(
        {
            "allowed": st.just("any") | st.lists(status_specs, min_size=1, max_size=3),
            "preferred": st.lists(status_specs, max_size=2),
            "check_validity": st.booleans(),
        }
    ),
    "benefit_access": st.fixed_dictionaries(
        {
            "allowed_benefits": st.lists(st.sampled_from(BENEFITS), min_size=1, unique=True),
            "combine": st.sampled_from(["any", "all"]),
            "check_integration_course": st.booleans(),
            "allow_other_support_need": st.booleans(),
        }
    ),
    "work_permission_required": st.fixed_dictionaries(
        {"accepted": st.lists(st.sampled_from(WORK_PERMISSIONS), min_size=1, unique=True)}
    ),
    "no_statutory_work_ban": st.fixed_dictionaries(
        {
            "asylum_request_cutoff": st.sampled_from(["2015-08-31", "2020-01-01"]),
            "applies_to_kinds": st.sampled_from([["duldung"], ["duldung", "gestattung"]]),
        }
    ),
    "not_in_state_facility": st.just({}),
    "no_security_exclusion": st.just({}),
    "min_language_level": st.sampled_from(
        [{"min_level": "A1"}, {"min_level": "A2", "max_level": "B1"}, {"min_level": "B2"}]
    ),
    "residence_in_area": st.sampled_from([{}, {"ags_prefixes": ["05754"]}]),
    "within_period": st.sampled_from([{}, {"regular_until": "2022-12-31"}]),
}


@st.composite
def rule_set_dicts(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(st.lists(st.sampled_from(sorted(criterion_params)), min_size=1, max_size=10))
    criteria = [
        {
            "code": f"c{i}_{kind}",
            "kind": kind,
            "required": draw(st.booleans()),
            "params": draw(criterion_params[kind]),
            "source": "test",
            "notes": [],
        }
        for i, kind in enumerate(kinds)
    ]
    start = draw(st.dates(min_value=date(2019, 1, 1), max_value=date(2022, 1, 1)))
    end = draw(opt(st.dates(min_value=start, max_value=date(2026, 1, 1))))
    return {
        "code": "generated",
        "name_de": "Erzeugt",
        "name_en": "Generated",
        "valid_from": start.isoformat(),
        "valid_until": None if end is None else end.isoformat(),
        "source": "",
        "notes": [],
        "criteria": criteria,
    }


rule_sets = rule_set_dicts().map(rule_set_from_dict) | st.sampled_from(list(RULE_SETS.values()))
contexts = st.sampled_from([None, {"area_ags": ["05754"]}, {"area_ags": ["05711", "05315"]}])


@settings(max_examples=300)
@given(facts_strategy, rule_sets, reference_dates, contexts)
def test_decision_status_follows_required_results(
    facts: Facts, rule_set: RuleSet, on: date, context: dict[str, Any] | None
) -> None:
    decision = evaluate(facts, rule_set, on=on, context=context)
    required = [r.status for r in decision.results if r.required]
    assert len(decision.results) == len(rule_set.criteria)
    if "failed" in required:
        assert decision.status == Status.NOT_ELIGIBLE and not decision.eligible
    elif "unknown" in required:
        assert decision.status == Status.UNKNOWN and not decision.eligible
    else:
        assert decision.status == Status.ELIGIBLE and decision.eligible
    if decision.eligible:
        assert all(r.status == "passed" for r in decision.results if r.required)
        assert decision.missing_facts == []
    for r in decision.results:
        if r.status == "unknown" and r.reason_code == "FACT_MISSING":
            assert r.missing_facts and r.hint_de and r.hint_de.startswith("Angabe fehlt: ")
        assert set(r.missing_facts) <= set(Facts.field_names()) | {"residence_status.paragraph"}


REMOVABLE = list(Facts.field_names())


@settings(max_examples=300)
@given(
    facts_strategy,
    rule_sets,
    reference_dates,
    contexts,
    st.lists(st.sampled_from(REMOVABLE), min_size=1, unique=True),
)
def test_removing_facts_never_creates_eligibility(
    facts: Facts, rule_set: RuleSet, on: date, context: dict[str, Any] | None, removed: list[str]
) -> None:
    fewer = dataclasses.replace(facts, **dict.fromkeys(removed))
    full = evaluate(facts, rule_set, on=on, context=context)
    partial = evaluate(fewer, rule_set, on=on, context=context)
    for before, after in zip(full.results, partial.results, strict=True):
        if after.status == "passed":
            assert before.status == "passed", (before.reason_code, after.reason_code)
    if partial.eligible:
        assert full.eligible


@given(rule_sets, reference_dates, contexts)
def test_no_facts_are_never_eligible_when_a_fact_is_needed(
    rule_set: RuleSet, on: date, context: dict[str, Any] | None
) -> None:
    decision = evaluate(Facts(), rule_set, on=on, context=context)
    needs_facts = any(c.required and c.needs for c in rule_set.criteria)
    if needs_facts:
        assert not decision.eligible
    for r in decision.results:
        assert r.status != "passed" or not r.missing_facts


@settings(max_examples=200)
@given(facts_strategy, rule_sets, reference_dates, contexts, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_criterion_order(
    facts: Facts, rule_set: RuleSet, on: date, context: dict[str, Any] | None, rnd: Any
) -> None:
    criteria = list(rule_set.criteria)
    rnd.shuffle(criteria)
    shuffled = dataclasses.replace(rule_set, criteria=tuple(criteria))
    a = evaluate(facts, rule_set, on=on, context=context)
    b = evaluate(facts, shuffled, on=on, context=context)
    assert a.status == b.status
    by_code_a = {r.criterion_code: r.to_dict() for r in a.results}
    by_code_b = {r.criterion_code: r.to_dict() for r in b.results}
    assert by_code_a == by_code_b


@given(rule_set_dicts())
def test_rule_set_round_trip(definition: dict[str, Any]) -> None:
    rule_set = rule_set_from_dict(definition)
    assert rule_set.to_dict() == definition
    again = rule_set_from_dict(json.loads(json.dumps(rule_set.to_dict())))
    assert again == rule_set


@given(facts_strategy)
def test_facts_round_trip(facts: Facts) -> None:
    assert Facts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


@given(facts_strategy, rule_sets, reference_dates)
def test_decision_to_dict_is_json(facts: Facts, rule_set: RuleSet, on: date) -> None:
    data = evaluate(facts, rule_set, on=on).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert data["status"] in {"eligible", "not_eligible", "unknown"}
    assert data["eligible"] is (data["status"] == "eligible")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2010, 12, 31)), reference_dates)
def test_age_boundary_is_the_28th_birthday(birth: date, on: date) -> None:
    """DOMAIN.md 4.3 R2: the person is in the age group exactly from the 18th birthday up
    to the day before the 28th birthday."""
    from teilhabe.eligibility._util import anniversary

    result = evaluate(Facts(birth_date=birth), RULE_SETS["diaa.target_group"], on=on).result("age")
    inside = anniversary(birth, 18) <= on < anniversary(birth, 28)
    assert (result.status == "passed") is inside
    if inside:
        assert result.hint_en is not None and "turns 28" in result.hint_en

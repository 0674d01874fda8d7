"""Helpers for the eligibility tests (no database)."""

from __future__ import annotations

from datetime import date
from typing import Any

from teilhabe.eligibility import Decision, Facts, RuleSet, evaluate, load_programme_rule_sets

RULE_SETS: dict[str, RuleSet] = load_programme_rule_sets()
TARGET = RULE_SETS["diaa.target_group"]
F1, F2, F3, F4, F5 = (RULE_SETS[f"diaa.f{i}"] for i in range(1, 6))
ON = date(2021, 3, 1)  # inside the DiAA period

#: a person squarely in the DiAA target group (Duldung, AsylbLG, assigned to a Kommune)
BASE_PERSON: dict[str, Any] = {
    "birth_date": "2000-05-10",
    "sex": "female",
    "nationality": "AF",
    "residence_status": {"kind": "duldung", "paragraph": "60a", "since": "2020-01-01"},
    "entry_date": "2016-02-01",
    "first_asylum_request": "2016-02-03",
    "asylum_decision": "rejected",
    "benefits": "asylblg",
    "work_permission": "needs_approval",
    "integration_course_access": False,
    "lives_in_state_facility": False,
    "security_exclusion": False,
    "municipality_ags": "05754008",
    "german_level": "A2",
}


def person(**changes: Any) -> Facts:
    """``BASE_PERSON`` with ``changes`` applied (``None`` removes a fact)."""
    data = {**BASE_PERSON, **changes}
    return Facts.from_dict({k: v for k, v in data.items() if v is not None})


def check(
    rule_set: RuleSet, on: date = ON, context: dict[str, Any] | None = None, **changes: Any
) -> Decision:
    return evaluate(person(**changes), rule_set, on=on, context=context)

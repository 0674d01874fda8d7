"""Evaluate a person's facts against rule sets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from .criteria import Env
from .facts import Facts
from .reference import ReferenceData, load_reference_data
from .results import FAILED, UNKNOWN, CriterionResult, Decision, Status
from .rules import RuleSet

_EMPTY: Mapping[str, Any] = {}


def evaluate(
    facts: Facts,
    rule_set: RuleSet,
    on: date,
    context: Mapping[str, Any] | None = None,
    *,
    reference: ReferenceData | None = None,
) -> Decision:
    """Check ``facts`` against every criterion of ``rule_set`` on the reference date ``on``.

    ``context`` carries caller data some criteria use (``{"area_ags": ["05754", …]}`` for
    ``residence_in_area``); ``reference`` overrides the shipped reference data (status
    catalogue, safe countries).  The decision is ``eligible`` only if every required
    criterion passed, ``not_eligible`` if one failed, else ``unknown``.
    """
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError("on must be a datetime.date (not a datetime)")
    env = Env(
        rule_set,
        _EMPTY if context is None else context,
        load_reference_data() if reference is None else reference,
    )
    results: list[CriterionResult] = []
    append = results.append
    failed = unknown = False
    for c in rule_set.criteria:
        status, reason, args, hints, missing = c.check(facts, on, env)
        required = c.required
        append(
            CriterionResult(
                c.code, c.kind, required, status, reason, c.source, args, hints, missing
            )
        )
        if required:
            if status is FAILED:
                failed = True
            elif status is UNKNOWN:
                unknown = True
    overall = Status.NOT_ELIGIBLE if failed else Status.UNKNOWN if unknown else Status.ELIGIBLE
    return Decision(rule_set.code, rule_set.name_de, rule_set.name_en, on, overall, results)


def evaluate_many(
    facts: Facts,
    rule_sets: Iterable[RuleSet],
    on: date,
    context: Mapping[str, Any] | None = None,
    *,
    reference: ReferenceData | None = None,
) -> dict[str, Decision]:
    """:func:`evaluate` for several rule sets; the result is keyed by rule-set code."""
    ref = load_reference_data() if reference is None else reference
    return {rs.code: evaluate(facts, rs, on, context, reference=ref) for rs in rule_sets}

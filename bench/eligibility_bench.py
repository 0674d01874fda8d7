"""Eligibility engine benchmark: one person against 150 rule sets.

    .venv/bin/python bench/eligibility_bench.py [--rule-sets 150] [--repeat 200]

Prints the median and best time of evaluating one person against all rule sets (the
target is well under 20 ms), and separately the time to render every decision to JSON
form (messages are rendered lazily, so that cost is only paid when texts are shown).
No timing assertions in the test suite: this script is the measurement.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PERSON: dict[str, Any] = {
    "birth_date": "2000-05-10",
    "sex": "female",
    "nationality": "AL",
    "residence_status": {"kind": "duldung", "paragraph": "60a", "until": "2021-09-30"},
    "entry_date": "2016-02-01",
    "first_asylum_request": "2016-02-03",
    "benefits": "asylblg",
    "work_permission": "needs_approval",
    "integration_course_access": False,
    "lives_in_state_facility": False,
    "security_exclusion": False,
    "municipality_ags": "05754008",
    "german_level": "A2",
}

LEVELS = ["A1", "A2", "B1", "B2"]
STATUSES = [["duldung", "gestattung"], ["duldung:60c", "aufenthaltserlaubnis:25_5"], "any"]


def offer_definition(i: int) -> dict[str, Any]:
    """An offer-like rule set with 6 criteria (age, status, language, area, benefits,
    period), varied by ``i``."""
    return {
        "code": f"offer.{i:03d}",
        "name_de": f"Angebot {i}",
        "name_en": f"Offer {i}",
        "valid_from": "2020-01-01",
        "valid_until": None if i % 3 else "2022-12-31",
        "criteria": [
            {
                "code": "age",
                "kind": "age_range",
                "params": {"min_age": 16 + i % 3, "max_age": 25 + i % 4},
            },
            {
                "code": "status",
                "kind": "residence_status",
                "params": {"allowed": STATUSES[i % 3], "preferred": ["duldung"]},
            },
            {"code": "lang", "kind": "min_language_level", "params": {"min_level": LEVELS[i % 4]}},
            {"code": "area", "kind": "residence_in_area", "params": {}},
            {
                "code": "benefits",
                "kind": "benefit_access",
                "params": {"allow_other_support_need": bool(i % 2)},
            },
            {"code": "period", "kind": "within_period", "params": {}},
        ],
    }


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from teilhabe.eligibility import (
        Facts,
        evaluate,
        load_programme_rule_sets,
        load_reference_data,
        rule_set_from_dict,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule-sets", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    programme = list(load_programme_rule_sets().values())
    offers = [rule_set_from_dict(offer_definition(i)) for i in range(args.rule_sets)]
    rule_sets = (programme + offers)[: args.rule_sets]
    criteria = sum(len(rs.criteria) for rs in rule_sets)
    facts = Facts.from_dict(PERSON)
    on = date(2021, 3, 1)
    context = {"area_ags": ["05754"]}
    reference = load_reference_data()

    def run_once() -> list[Any]:
        return [evaluate(facts, rs, on, context, reference=reference) for rs in rule_sets]

    for _ in range(20):  # warm up
        run_once()
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        decisions = run_once()
        timings.append(time.perf_counter() - start)
    render = []
    for _ in range(max(1, args.repeat // 10)):
        start = time.perf_counter()
        for d in decisions:
            d.to_dict()
        render.append(time.perf_counter() - start)

    median = statistics.median(timings) * 1000
    best = min(timings) * 1000
    print(f"rule sets: {len(rule_sets)}, criteria: {criteria}, repeats: {args.repeat}")
    print(
        f"evaluate one person against {len(rule_sets)} rule sets: "
        f"median {median:.2f} ms, best {best:.2f} ms "
        f"({median * 1000 / criteria:.2f} µs per criterion)"
    )
    print(
        f"render all decisions with texts (to_dict): median "
        f"{statistics.median(render) * 1000:.2f} ms"
    )
    print(f"target < 20 ms: {'ok' if median < 20 else 'MISSED'}")


if __name__ == "__main__":
    main()

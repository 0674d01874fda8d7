"""Eligibility engine: pure Python (standard library only, no Django).

Rules are dated data (``data/rule_sets/*.json``); the engine checks a person's facts against
them and explains every result with a reason code, German and English messages, a hint on
what would change the result and the legal source.  See ``docs/eligibility.md``.

    facts = Facts.from_dict(person)
    rule_sets = load_programme_rule_sets()
    decision = evaluate(facts, rule_sets["diaa.f2"], on=date(2021, 3, 1))
    decision.status, decision.results[0].message_de
"""

from .engine import evaluate, evaluate_many
from .facts import (
    ASYLUM_DECISIONS,
    BENEFITS,
    GERMAN_LEVELS,
    SEXES,
    WORK_PERMISSIONS,
    Facts,
    FactsError,
    ResidenceStatus,
)
from .messages import HINTS, REASONS
from .reference import (
    ReferenceData,
    ResidenceStatusCatalogue,
    SafeCountryTable,
    load_reference_data,
    load_residence_status_catalogue,
    load_safe_country_table,
    reference_data_from_dict,
    residence_status_catalogue_from_dict,
    safe_country_table_from_dict,
)
from .results import CriterionResult, CriterionStatus, Decision, Status
from .rules import (
    PROGRAMME_RULE_SET_CODES,
    Criterion,
    RuleSet,
    RuleSetError,
    load_programme_rule_sets,
    load_rule_set_definitions,
    rule_set_from_dict,
    select_versions,
)

__all__ = [
    "ASYLUM_DECISIONS",
    "BENEFITS",
    "GERMAN_LEVELS",
    "HINTS",
    "PROGRAMME_RULE_SET_CODES",
    "REASONS",
    "SEXES",
    "WORK_PERMISSIONS",
    "Criterion",
    "CriterionResult",
    "CriterionStatus",
    "Decision",
    "Facts",
    "FactsError",
    "ReferenceData",
    "ResidenceStatus",
    "ResidenceStatusCatalogue",
    "RuleSet",
    "RuleSetError",
    "SafeCountryTable",
    "Status",
    "evaluate",
    "evaluate_many",
    "load_programme_rule_sets",
    "load_reference_data",
    "load_residence_status_catalogue",
    "load_rule_set_definitions",
    "load_safe_country_table",
    "reference_data_from_dict",
    "residence_status_catalogue_from_dict",
    "rule_set_from_dict",
    "safe_country_table_from_dict",
    "select_versions",
]

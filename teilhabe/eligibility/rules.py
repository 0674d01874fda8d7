"""Rule sets as data: a dated, named list of criteria read from JSON-shaped dicts.

``rule_set_from_dict(d)`` validates a definition (raising ``ValueError`` with the path of the
problem) and compiles each criterion once; ``rs.to_dict()`` gives the definition back, so
``rule_set_from_dict(rs.to_dict()) == rs``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ._util import (
    check_keys,
    iso_or_none,
    parse_iso_date,
    parse_optional_date,
    require_bool,
    require_mapping,
    require_str,
)
from .criteria import KINDS, CriterionKind
from .reference import DATA_DIR, ResidenceStatusCatalogue, load_residence_status_catalogue

RULE_SETS_DIR = DATA_DIR / "rule_sets"

#: the rule sets shipped for the DiAA programme, in display order
PROGRAMME_RULE_SET_CODES = (
    "diaa.target_group",
    "diaa.f1",
    "diaa.f2",
    "diaa.f3",
    "diaa.f4",
    "diaa.f5",
)


class RuleSetError(ValueError):
    """A rule-set definition is invalid; the message starts with the path of the problem."""


def _notes(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
        raise RuleSetError(f"{where}: expected a list of strings")
    return tuple(value)


@dataclass(frozen=True)
class Criterion:
    """One criterion of a rule set.  ``required`` criteria decide eligibility; the others
    are reported (passed/failed/unknown) without deciding."""

    code: str
    kind: str
    required: bool = True
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    source: str = ""
    notes: tuple[str, ...] = ()
    catalogue: InitVar[ResidenceStatusCatalogue | None] = None
    check: CriterionKind = field(init=False, repr=False, compare=False)

    def __post_init__(self, catalogue: ResidenceStatusCatalogue | None) -> None:
        where = f"criterion {self.code!r}"
        factory = KINDS.get(self.kind)
        if factory is None:
            raise RuleSetError(
                f"{where}: unknown kind {self.kind!r} (known: {', '.join(sorted(KINDS))})"
            )
        params = copy.deepcopy(dict(require_mapping(self.params, f"{where}.params")))
        cat = catalogue if catalogue is not None else load_residence_status_catalogue()
        try:
            checker = factory(params, f"{where}.params", cat)
        except RuleSetError:
            raise
        except ValueError as exc:
            raise RuleSetError(str(exc)) from None
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "check", checker)

    @property
    def needs(self) -> tuple[str, ...]:
        """The facts this criterion may look at."""
        return self.check.needs

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "required": self.required,
            "params": copy.deepcopy(dict(self.params)),
            "source": self.source,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RuleSet:
    """A dated, named set of criteria (a programme's target group, a Förderbaustein, or an
    offer's access conditions).  ``valid_until`` ``None`` = open-ended."""

    code: str
    name_de: str
    name_en: str
    valid_from: date
    valid_until: date | None
    criteria: tuple[Criterion, ...]
    source: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", tuple(self.criteria))
        object.__setattr__(self, "notes", tuple(self.notes))
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise RuleSetError(f"rule set {self.code!r}: valid_until is before valid_from")
        seen: set[str] = set()
        for c in self.criteria:
            if c.code in seen:
                raise RuleSetError(f"rule set {self.code!r}: criterion {c.code!r} twice")
            seen.add(c.code)

    def is_valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_de": self.name_de,
            "name_en": self.name_en,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": iso_or_none(self.valid_until),
            "source": self.source,
            "notes": list(self.notes),
            "criteria": [c.to_dict() for c in self.criteria],
        }


_RULE_SET_KEYS = {"code", "name_de", "name_en", "valid_from", "criteria"}
_RULE_SET_OPTIONAL = {"valid_until", "source", "notes"}
_CRITERION_KEYS = {"code", "kind"}
_CRITERION_OPTIONAL = {"required", "params", "source", "notes"}


def rule_set_from_dict(
    data: Mapping[str, Any], *, catalogue: ResidenceStatusCatalogue | None = None
) -> RuleSet:
    """Read and validate a rule-set definition; raise :class:`RuleSetError` (a
    ``ValueError``) naming the problem.  ``catalogue`` overrides the shipped
    residence-status catalogue used to check status codes in the params."""
    try:
        data = require_mapping(data, "rule set")
        check_keys(data, "rule set", required=_RULE_SET_KEYS, optional=_RULE_SET_OPTIONAL)
        code = require_str(data["code"], "rule set.code")
        where = f"rule set {code!r}"
        try:
            valid_from = parse_iso_date(data["valid_from"])
        except ValueError as exc:
            raise RuleSetError(f"{where}.valid_from: {exc}") from None
        try:
            valid_until = parse_optional_date(data.get("valid_until"))
        except ValueError as exc:
            raise RuleSetError(f"{where}.valid_until: {exc}") from None
        raw_criteria = data["criteria"]
        if not isinstance(raw_criteria, list):
            raise RuleSetError(f"{where}.criteria: expected a list")
        criteria = []
        for i, raw in enumerate(raw_criteria):
            cw = f"{where}.criteria[{i}]"
            raw = require_mapping(raw, cw)
            check_keys(raw, cw, required=_CRITERION_KEYS, optional=_CRITERION_OPTIONAL)
            criteria.append(
                Criterion(
                    code=require_str(raw["code"], f"{cw}.code"),
                    kind=require_str(raw["kind"], f"{cw}.kind"),
                    required=require_bool(raw.get("required", True), f"{cw}.required"),
                    params=require_mapping(raw.get("params", {}), f"{cw}.params"),
                    source=require_str(raw.get("source", ""), f"{cw}.source", allow_empty=True),
                    notes=_notes(raw.get("notes"), f"{cw}.notes"),
                    catalogue=catalogue,
                )
            )
        return RuleSet(
            code=code,
            name_de=require_str(data["name_de"], f"{where}.name_de"),
            name_en=require_str(data["name_en"], f"{where}.name_en"),
            valid_from=valid_from,
            valid_until=valid_until,
            criteria=tuple(criteria),
            source=require_str(data.get("source", ""), f"{where}.source", allow_empty=True),
            notes=_notes(data.get("notes"), f"{where}.notes"),
        )
    except RuleSetError:
        raise
    except ValueError as exc:
        raise RuleSetError(str(exc)) from None


def load_rule_set_definitions(directory: Path | None = None) -> list[dict[str, Any]]:
    """The raw JSON definitions (``*.json`` in ``data/rule_sets`` or ``directory``), sorted
    by file name: what the Django side copies into its database."""
    folder = directory if directory is not None else RULE_SETS_DIR
    out = []
    for path in sorted(folder.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict):
            raise RuleSetError(f"{path.name}: expected a JSON object")
        out.append(data)
    return out


def select_versions(rule_sets: list[RuleSet], on: date | None = None) -> dict[str, RuleSet]:
    """One version per code: the one with the latest ``valid_from`` that is not after
    ``on`` (so that a programme that has ended still answers "period ended"), the earliest
    one if all start after ``on`` ("not started"), or the latest version when ``on`` is
    None.  Two versions with the same code and start are an error."""
    versions: dict[str, list[RuleSet]] = {}
    for rs in rule_sets:
        group = versions.setdefault(rs.code, [])
        if any(other.valid_from == rs.valid_from for other in group):
            raise RuleSetError(f"rule set {rs.code!r}: two versions valid from {rs.valid_from}")
        group.append(rs)
    by_code: dict[str, RuleSet] = {}
    for code, group in versions.items():
        group.sort(key=lambda r: r.valid_from)
        started = [r for r in group if on is None or r.valid_from <= on]
        by_code[code] = started[-1] if started else group[0]
    return by_code


def load_programme_rule_sets(
    on: date | None = None,
    *,
    directory: Path | None = None,
    catalogue: ResidenceStatusCatalogue | None = None,
) -> dict[str, RuleSet]:
    """The shipped programme rule sets by code (``diaa.target_group``, ``diaa.f1`` …
    ``diaa.f5``); see :func:`select_versions` for ``on``."""
    definitions = load_rule_set_definitions(directory)
    rule_sets = [rule_set_from_dict(d, catalogue=catalogue) for d in definitions]
    return programme_order(select_versions(rule_sets, on))


def programme_order(rule_sets: dict[str, RuleSet]) -> dict[str, RuleSet]:
    """Sort by :data:`PROGRAMME_RULE_SET_CODES` first, then by code."""
    order = {code: i for i, code in enumerate(PROGRAMME_RULE_SET_CODES)}
    return dict(sorted(rule_sets.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))

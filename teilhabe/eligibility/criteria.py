"""The criterion kinds.  Each kind validates its ``params`` once (when a rule set is read)
and compiles them into a checker; evaluating a checker against a person's facts allocates
little: a few small tuples and, where needed, a dict of message arguments.

Adding a kind: write a class with ``__init__(params, where, catalogue)`` that raises
``ValueError`` on bad params and ``__call__(facts, on, env) -> Outcome``, register it in
:data:`KINDS`, add its reason codes to ``messages.REASONS`` and document it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from ._util import anniversary, format_date, parse_iso_date, require_bool, require_str_list
from .facts import BENEFITS, GERMAN_LEVEL_RANK, GERMAN_LEVELS, WORK_PERMISSIONS, Facts
from .messages import (
    BENEFIT_LABELS,
    KIND_LABELS,
    WORK_PERMISSION_LABELS,
    Arg,
    Args,
    field_list,
)
from .reference import ReferenceData, ResidenceStatusCatalogue
from .results import FAILED, PASSED, UNKNOWN, CriterionStatus, Hint

Outcome = tuple[CriterionStatus, str, Args, tuple[Hint, ...], tuple[str, ...]]


class RuleSetPeriod(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def valid_from(self) -> date: ...
    @property
    def valid_until(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class Env:
    """What a checker sees besides the facts: the rule set (for its period and code), the
    caller's context (e.g. ``{"area_ags": [...]}``) and the reference data."""

    rule_set: RuleSetPeriod
    context: Mapping[str, Any]
    reference: ReferenceData


Checker = Callable[[Facts, date, Env], Outcome]
_NO_HINTS: tuple[Hint, ...] = ()
_NO_ARGS: Args = {}


@lru_cache(maxsize=256)
def _missing(kind: str, fields: tuple[str, ...]) -> Outcome:
    """The (shared, immutable) outcome for "cannot be checked, these facts are missing"."""
    names = field_list(fields)
    return (
        UNKNOWN,
        "FACT_MISSING",
        {"label": KIND_LABELS[kind], "fields": names},
        (("MISSING", {"fields": names}),),
        fields,
    )


def _outcome(status: CriterionStatus, reason: str, args: Args = _NO_ARGS) -> Outcome:
    return (status, reason, args, _NO_HINTS, ())


class _Params:
    """Read and check a params object; remember which keys were used."""

    def __init__(self, params: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        if not isinstance(params, Mapping):
            raise ValueError(f"{where}: params must be an object")
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ValueError(f"{where}: unknown parameter(s) {', '.join(unknown)}")
        self.params = params
        self.where = where

    def bool(self, key: str, default: bool) -> bool:
        return require_bool(self.params.get(key, default), f"{self.where}.{key}")

    def int_or_none(self, key: str) -> int | None:
        value = self.params.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
            raise ValueError(f"{self.where}.{key}: expected an integer 0..150, got {value!r}")
        return value

    def date_or_none(self, key: str) -> date | None:
        value = self.params.get(key)
        if value is None:
            return None
        try:
            return parse_iso_date(value)
        except ValueError as exc:
            raise ValueError(f"{self.where}.{key}: {exc}") from None

    def choice(self, key: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.params.get(key, default)
        if value is None:
            return None
        if value not in choices:
            raise ValueError(f"{self.where}.{key}: expected one of {', '.join(choices)}")
        return str(value)

    def choices(self, key: str, choices: tuple[str, ...], default: list[str]) -> frozenset[str]:
        values = require_str_list(self.params.get(key, default), f"{self.where}.{key}")
        bad = [v for v in values if v not in choices]
        if bad:
            raise ValueError(f"{self.where}.{key}: unknown value(s) {', '.join(bad)}")
        return frozenset(values)

    def text(self, key: str, default: str | None) -> str | None:
        value = self.params.get(key, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"{self.where}.{key}: expected a non-empty string")
        return value


# --- age_range -------------------------------------------------------------------------------


class AgeRange:
    """Age in completed years on the reference date within ``min_age``..``max_age``
    (inclusive).  With ``allow_exception`` a recorded ``age_exception_reason`` lets an
    out-of-range age pass (AGE_EXCEPTION)."""

    kind = "age_range"
    needs = ("birth_date", "age_exception_reason")

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        p = _Params(params, where, {"min_age", "max_age", "allow_exception"})
        self.min_age = p.int_or_none("min_age")
        self.max_age = p.int_or_none("max_age")
        self.allow_exception = p.bool("allow_exception", False)
        if self.min_age is None and self.max_age is None:
            raise ValueError(f"{where}: needs min_age or max_age")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"{where}: min_age is greater than max_age")
        lo, hi = self.min_age, self.max_age
        if lo is not None and hi is not None:
            self.range: Arg = (f"{lo}–{hi} Jahre", f"{lo}–{hi} years")
        elif lo is not None:
            self.range = (f"ab {lo} Jahren", f"{lo} or older")
        else:
            self.range = (f"bis {hi} Jahre", f"up to {hi}")

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        birth = facts.birth_date
        if birth is None:
            return _missing(self.kind, ("birth_date",))
        if birth > on:
            return _outcome(
                UNKNOWN,
                "BIRTH_DATE_AFTER_REFERENCE",
                {"birth": birth, "on": on},
            )
        age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
        lo, hi = self.min_age, self.max_age
        below = lo is not None and age < lo
        above = hi is not None and age > hi
        if not below and not above:
            hints = _NO_HINTS
            if hi is not None:
                hints = (
                    (
                        "LEAVES_AGE_GROUP",
                        {"date": anniversary(birth, hi + 1), "age": str(hi + 1)},
                    ),
                )
            return (PASSED, "AGE_IN_RANGE", {"age": str(age), "range": self.range}, hints, ())
        reason = facts.age_exception_reason
        if self.allow_exception and reason is not None:
            return (
                PASSED,
                "AGE_EXCEPTION",
                {"age": str(age), "range": self.range, "reason": reason},
                (("AGE_EXCEPTION_RECORDED", _NO_ARGS),),
                (),
            )
        if below:
            assert lo is not None
            hints = (("TURNS_AGE", {"date": anniversary(birth, lo), "age": str(lo)}),)
            if self.allow_exception:
                hints += (("AGE_EXCEPTION_POSSIBLE", _NO_ARGS),)
            return (FAILED, "AGE_BELOW_MIN", {"age": str(age), "min": str(lo)}, hints, ())
        hints = (("AGE_EXCEPTION_POSSIBLE", _NO_ARGS),) if self.allow_exception else _NO_HINTS
        return (FAILED, "AGE_ABOVE_MAX", {"age": str(age), "max": str(hi)}, hints, ())


# --- residence_status ------------------------------------------------------------------------

# kind -> permitted paragraphs (None = every paragraph, and a missing paragraph is fine)
_StatusSpec = dict[str, frozenset[str] | None]


def _parse_status_specs(value: Any, where: str, catalogue: ResidenceStatusCatalogue) -> _StatusSpec:
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list of status specs or 'any'")
    spec: _StatusSpec = {}
    for i, item in enumerate(value):
        iw = f"{where}[{i}]"
        paragraphs: list[str] | None
        if isinstance(item, str):
            kind, _, par = item.partition(":")
            paragraphs = [par] if par else None
        elif isinstance(item, Mapping):
            unknown = sorted(set(item) - {"kind", "paragraphs"})
            if unknown or "kind" not in item:
                raise ValueError(f"{iw}: expected {{kind, paragraphs}}")
            kind = item["kind"]
            raw = item.get("paragraphs")
            paragraphs = None if raw is None else require_str_list(raw, f"{iw}.paragraphs")
        else:
            raise ValueError(f"{iw}: expected 'kind', 'kind:paragraph' or {{kind, paragraphs}}")
        info = catalogue.get(kind) if isinstance(kind, str) else None
        if info is None or info.unknown:
            raise ValueError(f"{iw}: unknown residence status kind {kind!r}")
        if paragraphs is not None:
            bad = [p for p in paragraphs if info.paragraph(p) is None]
            if bad or not paragraphs:
                raise ValueError(f"{iw}: unknown paragraph(s) {bad or '[]'} for {kind}")
        if kind in spec and (spec[kind] is None or paragraphs is None):
            spec[kind] = None
        elif kind in spec:
            previous = spec[kind]
            assert previous is not None and paragraphs is not None
            spec[kind] = previous | frozenset(paragraphs)
        else:
            spec[kind] = None if paragraphs is None else frozenset(paragraphs)
    return spec


def _spec_label(spec: _StatusSpec, catalogue: ResidenceStatusCatalogue) -> tuple[str, str]:
    de, en = [], []
    for kind, pars in spec.items():
        info = catalogue.get(kind)
        assert info is not None
        if pars is None:
            de.append(info.label(None, "de"))
            en.append(info.label(None, "en"))
        else:
            for p in sorted(pars):
                de.append(info.label(p, "de"))
                en.append(info.label(p, "en"))
    return ", ".join(de), ", ".join(en)


class ResidenceStatusCheck:
    """The residence status is one of ``allowed`` (a list of specs, or ``"any"``); specs in
    ``preferred`` mark the priority group.  With ``check_validity`` a status that expired
    before (or starts after) the reference date counts as unknown."""

    kind = "residence_status"
    needs = ("residence_status", "residence_status.paragraph")

    def __init__(
        self, params: Mapping[str, Any], where: str, catalogue: ResidenceStatusCatalogue
    ) -> None:
        p = _Params(params, where, {"allowed", "preferred", "check_validity"})
        allowed = params.get("allowed")
        if allowed == "any":
            self.allowed: _StatusSpec | None = None
        elif allowed is None:
            raise ValueError(f"{where}.allowed: required (a list of status specs or 'any')")
        else:
            self.allowed = _parse_status_specs(allowed, f"{where}.allowed", catalogue)
            if not self.allowed:
                raise ValueError(f"{where}.allowed: empty list")
        self.preferred = _parse_status_specs(
            params.get("preferred", []), f"{where}.preferred", catalogue
        )
        self.check_validity = p.bool("check_validity", True)
        self.permitted_label: Arg = (
            ("jeder Aufenthaltsstatus", "any residence status")
            if self.allowed is None
            else _spec_label(self.allowed, catalogue)
        )

    @staticmethod
    def _match(spec: _StatusSpec, kind: str, paragraph: str | None) -> bool | None:
        if kind not in spec:
            return False
        pars = spec[kind]
        if pars is None:
            return True
        if paragraph is None:
            return None
        return paragraph in pars

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        rs = facts.residence_status
        info = None if rs is None else env.reference.residence_statuses.get(rs.kind)
        if rs is None or (info is not None and info.unknown):
            return _missing(self.kind, ("residence_status",))
        label = env.reference.residence_statuses.label_pair(rs.kind, rs.paragraph)
        if self.check_validity:
            if rs.until is not None and rs.until < on:
                return (
                    UNKNOWN,
                    "STATUS_EXPIRED",
                    {"status": label, "until": rs.until},
                    (("STATUS_RECORD_CURRENT", _NO_ARGS),),
                    ("residence_status",),
                )
            if rs.since is not None and rs.since > on:
                return (
                    UNKNOWN,
                    "STATUS_NOT_YET_VALID",
                    {"status": label, "since": rs.since},
                    (("STATUS_RECORD_CURRENT", _NO_ARGS),),
                    ("residence_status",),
                )
        ok = True if self.allowed is None else self._match(self.allowed, rs.kind, rs.paragraph)
        if ok is None:
            return _missing(self.kind, ("residence_status.paragraph",))
        if not ok:
            return (
                FAILED,
                "STATUS_NOT_ALLOWED",
                {"status": label},
                (("STATUS_PERMITTED", {"allowed": self.permitted_label}),),
                (),
            )
        if not self.preferred:
            reason = "STATUS_ALLOWED"
        elif self._match(self.preferred, rs.kind, rs.paragraph):
            reason = "STATUS_PREFERRED"
        else:
            reason = "STATUS_ALLOWED_NOT_PREFERRED"
        hints = _NO_HINTS if rs.until is None else (("STATUS_VALID_UNTIL", {"date": rs.until}),)
        return (PASSED, reason, {"status": label}, hints, ())


# --- benefit_access --------------------------------------------------------------------------


class BenefitAccess:
    """DOMAIN 4.3 R1: "no or only subordinate access to SGB benefits and integration courses".

    The priority condition combines (``combine``: ``any`` = or, ``all`` = and) "benefits in
    ``allowed_benefits``" and, with ``check_integration_course``, "no integration course
    access", in three-valued logic.  With ``allow_other_support_need`` a recorded
    ``support_need_reason`` lets people outside the priority group pass (OTHER_SUPPORT_NEED):
    the "insbesondere" of the Richtlinie.
    """

    kind = "benefit_access"
    needs = ("benefits", "integration_course_access", "support_need_reason")

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        p = _Params(
            params,
            where,
            {"allowed_benefits", "check_integration_course", "combine", "allow_other_support_need"},
        )
        self.allowed = p.choices("allowed_benefits", BENEFITS, ["asylblg", "none"])
        self.check_course = p.bool("check_integration_course", True)
        self.combine_all = p.choice("combine", ("any", "all"), "any") == "all"
        self.allow_other = p.bool("allow_other_support_need", False)

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        b = facts.benefits
        c = facts.integration_course_access
        b_ok = None if b is None else b in self.allowed
        if not self.check_course:
            priority = b_ok
            missing: tuple[str, ...] = ("benefits",)
        else:
            c_ok = None if c is None else not c
            if self.combine_all:
                priority = (
                    False
                    if b_ok is False or c_ok is False
                    else (None if b_ok is None or c_ok is None else True)
                )
            else:
                priority = (
                    True
                    if b_ok is True or c_ok is True
                    else (None if b_ok is None or c_ok is None else False)
                )
            missing = tuple(
                name
                for name, value in (("benefits", b_ok), ("integration_course_access", c_ok))
                if value is None
            )
        if priority is True:
            return (PASSED, "BENEFIT_ACCESS_LIMITED", {"detail": self._detail(b, c)}, _NO_HINTS, ())
        if self.allow_other and facts.support_need_reason is not None:
            return _outcome(PASSED, "OTHER_SUPPORT_NEED", {"reason": facts.support_need_reason})
        if priority is None:
            return _missing(self.kind, missing)
        hints = (("OTHER_SUPPORT_NEED_POSSIBLE", _NO_ARGS),) if self.allow_other else _NO_HINTS
        return (FAILED, "BENEFIT_ACCESS_FULL", {"detail": self._detail(b, c)}, hints, ())

    def _detail(self, benefits: str | None, course: bool | None) -> Arg:
        de: list[str] = []
        en: list[str] = []
        if benefits is not None:
            de.append(BENEFIT_LABELS[benefits][0])
            en.append(BENEFIT_LABELS[benefits][1])
        if self.check_course and course is not None:
            de.append(
                "Zugang zum Integrationskurs" if course else "kein Zugang zum Integrationskurs"
            )
            en.append("integration course access" if course else "no integration course access")
        return ", ".join(de), ", ".join(en)


# --- work_permission_required ----------------------------------------------------------------


class WorkPermissionRequired:
    """``work_permission`` is one of ``accepted`` (default: ``permitted``)."""

    kind = "work_permission_required"
    needs = ("work_permission",)

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        p = _Params(params, where, {"accepted"})
        self.accepted = p.choices("accepted", WORK_PERMISSIONS, ["permitted"])

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        wp = facts.work_permission
        if wp is None:
            return _missing(self.kind, ("work_permission",))
        value = WORK_PERMISSION_LABELS[wp]
        if wp in self.accepted:
            return _outcome(PASSED, "WORK_PERMITTED", {"value": value})
        hints = _NO_HINTS if wp == "banned" else (("APPLY_WORK_PERMISSION", _NO_ARGS),)
        return (FAILED, "WORK_NOT_PERMITTED", {"value": value}, hints, ())


# --- no_statutory_work_ban -------------------------------------------------------------------


class NoStatutoryWorkBan:
    """DOMAIN 4.3 R5 / 8.3 E3: no statutory employment ban.

    Fails if ``work_permission`` is ``banned``, or if the residence kind is in
    ``applies_to_kinds`` (default: ``duldung``), the nationality is a safe country of origin
    on the reference date (dated reference table) and the first asylum request (Nachsuchen)
    was after ``asylum_request_cutoff`` (default 2015-08-31) — unless the table row carries a
    transitional exception (Georgia/Moldova: request on or before 2023-08-30).
    """

    kind = "no_statutory_work_ban"
    needs = ("work_permission", "residence_status", "nationality", "first_asylum_request")

    def __init__(
        self, params: Mapping[str, Any], where: str, catalogue: ResidenceStatusCatalogue
    ) -> None:
        p = _Params(params, where, {"asylum_request_cutoff", "applies_to_kinds", "module_label"})
        cutoff = p.date_or_none("asylum_request_cutoff")
        self.cutoff = cutoff if cutoff is not None else date(2015, 8, 31)
        kinds = require_str_list(
            params.get("applies_to_kinds", ["duldung"]), f"{where}.applies_to_kinds"
        )
        for k in kinds:
            info = catalogue.get(k)
            if info is None or info.unknown:
                raise ValueError(f"{where}.applies_to_kinds: unknown kind {k!r}")
        self.applies_to = frozenset(kinds)
        self.module_label = p.text("module_label", None)
        self.cutoff_label = format_date(self.cutoff)

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        module = self.module_label or env.rule_set.code
        wp = facts.work_permission
        if wp == "banned":
            return _outcome(FAILED, "WORK_BAN_EXPLICIT", {"module": module})
        rs = facts.residence_status
        info = None if rs is None else env.reference.residence_statuses.get(rs.kind)
        if rs is None or (info is not None and info.unknown):
            return _missing(
                self.kind,
                ("residence_status",)
                if wp is not None
                else ("residence_status", "work_permission"),
            )
        missing: list[str] = []
        altfall: Args | None = None
        if rs.kind in self.applies_to:
            nat = facts.nationality
            entry = None if nat is None else env.reference.safe_countries.entry_on(nat, on)
            if nat is None:
                missing.append("nationality")
            elif entry is not None:
                request = facts.first_asylum_request
                if request is None:
                    missing.append("first_asylum_request")
                elif request > self.cutoff:
                    exc = entry.work_ban_exception
                    if exc is not None and request <= exc.asylum_request_until:
                        altfall = {
                            "country": nat,
                            "request": request,
                            "until": exc.asylum_request_until,
                        }
                    else:
                        return _outcome(
                            FAILED,
                            "WORK_BAN_SAFE_COUNTRY",
                            {
                                "module": module,
                                "country": nat,
                                "request": request,
                                "cutoff": self.cutoff_label,
                            },
                        )
        if wp is None:
            missing.append("work_permission")
        if missing:
            return _missing(self.kind, tuple(missing))
        if altfall is not None:
            return _outcome(PASSED, "WORK_BAN_ALTFALL_EXCEPTION", altfall)
        return _outcome(PASSED, "NO_WORK_BAN")


# --- simple flags ----------------------------------------------------------------------------


class NotInStateFacility:
    """DOMAIN 4.3 R4: not living in a state reception facility (Landeseinrichtung)."""

    kind = "not_in_state_facility"
    needs = ("lives_in_state_facility",)
    _passed: Outcome = _outcome(PASSED, "NOT_IN_STATE_FACILITY")
    _failed: Outcome = (FAILED, "STATE_FACILITY", _NO_ARGS, (("AFTER_ASSIGNMENT", _NO_ARGS),), ())

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        _Params(params, where, set())

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        value = facts.lives_in_state_facility
        if value is None:
            return _missing(self.kind, ("lives_in_state_facility",))
        return self._failed if value else self._passed


class NoSecurityExclusion:
    """DOMAIN 4.3 R4: not classed as a security threat (Gefährder) or offender."""

    kind = "no_security_exclusion"
    needs = ("security_exclusion",)
    _passed: Outcome = _outcome(PASSED, "NO_SECURITY_EXCLUSION")
    _failed: Outcome = _outcome(FAILED, "SECURITY_EXCLUSION")

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        _Params(params, where, set())

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        value = facts.security_exclusion
        if value is None:
            return _missing(self.kind, ("security_exclusion",))
        return self._failed if value else self._passed


# --- min_language_level ----------------------------------------------------------------------


class MinLanguageLevel:
    """German level (CEFR, A0 < A1 < … < C2) at least ``min_level`` and, if given, at most
    ``max_level`` (for offers aimed at beginners)."""

    kind = "min_language_level"
    needs = ("german_level",)

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        p = _Params(params, where, {"min_level", "max_level"})
        lo = p.choice("min_level", GERMAN_LEVELS, None)
        if lo is None:
            raise ValueError(f"{where}.min_level: required")
        hi = p.choice("max_level", GERMAN_LEVELS, None)
        self.min_level, self.max_level = lo, hi
        self.lo = GERMAN_LEVEL_RANK[lo]
        self.hi = GERMAN_LEVEL_RANK[hi] if hi is not None else len(GERMAN_LEVELS) - 1
        if self.lo > self.hi:
            raise ValueError(f"{where}: min_level is above max_level")
        self.range = f"{lo}–{hi}" if hi is not None else (f"ab {lo}", f"{lo} or above")

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        level = facts.german_level
        if level is None:
            return _missing(self.kind, ("german_level",))
        rank = GERMAN_LEVEL_RANK[level]
        if rank < self.lo:
            return (
                FAILED,
                "LANGUAGE_BELOW_MIN",
                {"level": level, "min": self.min_level},
                (("LANGUAGE_REQUIRED", {"min": self.min_level}),),
                (),
            )
        if rank > self.hi:
            return _outcome(
                FAILED, "LANGUAGE_ABOVE_MAX", {"level": level, "max": str(self.max_level)}
            )
        return _outcome(PASSED, "LANGUAGE_LEVEL_OK", {"level": level, "range": self.range})


# --- residence_in_area -----------------------------------------------------------------------


@lru_cache(maxsize=64)
def _checked_prefixes(items: tuple[object, ...], where: str) -> tuple[str, ...]:
    out = []
    for item in items:
        if not isinstance(item, str) or not item.isdigit() or not 1 <= len(item) <= 8:
            raise ValueError(f"{where}: expected AGS prefixes of 1 to 8 digits, got {item!r}")
        out.append(item)
    return tuple(out)


def area_prefixes(value: object, where: str) -> tuple[str, ...]:
    """Validate AGS prefixes (a string or a list of strings of 1 to 8 digits)."""
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, list | tuple | frozenset | set):
        raise ValueError(f"{where}: expected a list of AGS prefixes")
    try:
        return _checked_prefixes(tuple(items), where)
    except TypeError:  # unhashable items
        raise ValueError(f"{where}: expected AGS prefixes of 1 to 8 digits") from None


class ResidenceInArea:
    """``municipality_ags`` starts with one of the area's AGS prefixes (e.g. ``"05754"`` for
    a Kreis, or full 8-digit Gemeinde keys), taken from ``context[context_key]`` (default
    ``area_ags``) or else from ``params.ags_prefixes``."""

    kind = "residence_in_area"
    needs = ("municipality_ags",)

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        p = _Params(params, where, {"context_key", "ags_prefixes"})
        self.key = p.text("context_key", "area_ags") or "area_ags"
        raw = params.get("ags_prefixes")
        self.prefixes = None if raw is None else area_prefixes(raw, f"{where}.ags_prefixes")

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        raw = env.context.get(self.key)
        prefixes = (
            area_prefixes(raw, f"context[{self.key!r}]") if raw is not None else self.prefixes
        )
        if prefixes is None:
            return _outcome(UNKNOWN, "AREA_NOT_CONFIGURED", {"key": self.key})
        ags = facts.municipality_ags
        if ags is None:
            return _missing(self.kind, ("municipality_ags",))
        if ags.startswith(prefixes):
            return _outcome(PASSED, "IN_AREA", {"ags": ags})
        return _outcome(FAILED, "OUTSIDE_AREA", {"ags": ags})


# --- within_period ---------------------------------------------------------------------------


class WithinPeriod:
    """The reference date lies within the programme period: ``from``..``until`` if given,
    else the rule set's ``valid_from``..``valid_until``.  Dates after ``regular_until`` (the
    regular end) but within the period pass as PERIOD_EXTENSION."""

    kind = "within_period"
    needs = ()

    def __init__(self, params: Mapping[str, Any], where: str, _: ResidenceStatusCatalogue):
        p = _Params(params, where, {"from", "until", "regular_until"})
        self.start = p.date_or_none("from")
        self.until = p.date_or_none("until")
        self.regular_until = p.date_or_none("regular_until")
        if self.start and self.until and self.until < self.start:
            raise ValueError(f"{where}: until is before from")
        if self.regular_until and self.until and self.regular_until > self.until:
            raise ValueError(f"{where}: regular_until is after until")

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome:
        start = self.start or env.rule_set.valid_from
        end = self.until or env.rule_set.valid_until
        if on < start:
            return (
                FAILED,
                "PERIOD_NOT_STARTED",
                {"start": start},
                (("PERIOD_STARTS", {"date": start}),),
                (),
            )
        if end is not None and on > end:
            return _outcome(FAILED, "PERIOD_ENDED", {"until": end})
        regular = self.regular_until
        if regular is not None and on > regular and end is not None:
            return (
                PASSED,
                "PERIOD_EXTENSION",
                {
                    "on": on,
                    "regular_until": regular,
                    "until": end,
                },
                (
                    ("PERIOD_ENDS", {"date": end}),
                    ("PERIOD_EXTENSION_CASE", {"date": regular}),
                ),
                (),
            )
        if end is None:
            period: Arg = (f"ab {format_date(start)}", f"from {format_date(start)}")
            hints = _NO_HINTS
        else:
            period = f"{format_date(start)}–{format_date(end)}"
            hints = (("PERIOD_ENDS", {"date": end}),)
        return (PASSED, "PERIOD_OK", {"on": on, "period": period}, hints, ())


class CriterionKind(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def needs(self) -> tuple[str, ...]: ...

    def __call__(self, facts: Facts, on: date, env: Env) -> Outcome: ...


KindFactory = Callable[[Mapping[str, Any], str, ResidenceStatusCatalogue], CriterionKind]

#: every criterion kind by its code
KINDS: dict[str, KindFactory] = {
    "age_range": AgeRange,
    "residence_status": ResidenceStatusCheck,
    "benefit_access": BenefitAccess,
    "work_permission_required": WorkPermissionRequired,
    "no_statutory_work_ban": NoStatutoryWorkBan,
    "not_in_state_facility": NotInStateFacility,
    "no_security_exclusion": NoSecurityExclusion,
    "min_language_level": MinLanguageLevel,
    "residence_in_area": ResidenceInArea,
    "within_period": WithinPeriod,
}

"""Results of an evaluation: one :class:`CriterionResult` per criterion, one :class:`Decision`
per rule set.  Texts are rendered on access from the reason and hint codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from .messages import Args, hint_text, reason_text


class CriterionStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Status(StrEnum):
    """Overall decision.  ``unknown``: nothing required failed, but some required criterion
    could not be checked."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNKNOWN = "unknown"


PASSED = CriterionStatus.PASSED
FAILED = CriterionStatus.FAILED
UNKNOWN = CriterionStatus.UNKNOWN

Hint = tuple[str, Args]


class CriterionResult(NamedTuple):
    """The result of one criterion.  Immutable (a named tuple: cheap to create, which keeps
    :func:`evaluate` fast); the texts are rendered from the codes on access."""

    criterion_code: str
    kind: str
    required: bool
    status: CriterionStatus
    reason_code: str
    source: str
    args: Args
    hints: tuple[Hint, ...] = ()
    missing_facts: tuple[str, ...] = ()

    @property
    def message_de(self) -> str:
        return reason_text(self.reason_code, self.args, "de")

    @property
    def message_en(self) -> str:
        return reason_text(self.reason_code, self.args, "en")

    @property
    def hint_de(self) -> str | None:
        if not self.hints:
            return None
        return "; ".join(hint_text(code, args, "de") for code, args in self.hints)

    @property
    def hint_en(self) -> str | None:
        if not self.hints:
            return None
        return "; ".join(hint_text(code, args, "en") for code, args in self.hints)

    @property
    def hint_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.hints)

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion_code": self.criterion_code,
            "kind": self.kind,
            "required": self.required,
            "status": self.status.value,
            "reason_code": self.reason_code,
            "message_de": self.message_de,
            "message_en": self.message_en,
            "hint_de": self.hint_de,
            "hint_en": self.hint_en,
            "missing_facts": list(self.missing_facts),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    rule_set_code: str
    rule_set_name_de: str
    rule_set_name_en: str
    reference_date: date
    status: Status
    results: list[CriterionResult]

    @property
    def eligible(self) -> bool:
        """True only if every required criterion passed."""
        return self.status is Status.ELIGIBLE

    @property
    def missing_facts(self) -> list[str]:
        """Facts whose absence keeps a required criterion unknown (sorted, unique)."""
        return sorted(
            {f for r in self.results if r.required and r.status is UNKNOWN for f in r.missing_facts}
        )

    def result(self, criterion_code: str) -> CriterionResult:
        for r in self.results:
            if r.criterion_code == criterion_code:
                return r
        raise KeyError(criterion_code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_set": self.rule_set_code,
            "name_de": self.rule_set_name_de,
            "name_en": self.rule_set_name_en,
            "reference_date": self.reference_date.isoformat(),
            "status": self.status.value,
            "eligible": self.eligible,
            "missing_facts": self.missing_facts,
            "results": [r.to_dict() for r in self.results],
        }

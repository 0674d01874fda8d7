"""Plain-language sentences for the engine's results, for young people.

The engine explains every criterion with a reason code and legal wording for staff
(``teilhabe.eligibility.REASONS``).  The public finder shows none of that: the important
codes map to short, translated sentences below; everything else falls back to one generic
sentence.  Call inside ``translation.override(...)``: the lazy texts are rendered there.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from teilhabe.eligibility import CriterionResult, CriterionStatus

GENERIC_PASSED = pgettext_lazy("finder", "The rules fit your answers.")
GENERIC_UNKNOWN = pgettext_lazy("finder", "Please ask if you can take part.")
GENERIC_FAILED = pgettext_lazy("finder", "Other rules of the offer do not fit.")
NO_RULES = pgettext_lazy("finder", "This offer has no special rules.")
WOMEN_ONLY = pgettext_lazy("finder", "This offer is only for women.")
BIRTHDAY = pgettext_lazy("finder", "It depends on your birthday. Please enter your age instead.")

# Reason codes of passed criteria.
PASSED: dict[str, Promise] = {
    "AGE_IN_RANGE": pgettext_lazy("finder", "Your age fits."),
    "STATUS_PREFERRED": pgettext_lazy(
        "finder", "The offer is especially for people with your residence status."
    ),
    "STATUS_ALLOWED": pgettext_lazy("finder", "Your residence status fits."),
    "STATUS_ALLOWED_NOT_PREFERRED": pgettext_lazy("finder", "Your residence status fits."),
    "NOT_IN_STATE_FACILITY": pgettext_lazy(
        "finder", "You no longer live in a state reception centre."
    ),
    "NO_WORK_BAN": pgettext_lazy("finder", "There is no work ban for you."),
    "WORK_BAN_ALTFALL_EXCEPTION": pgettext_lazy("finder", "There is no work ban for you."),
    "WORK_PERMITTED": pgettext_lazy("finder", "You are allowed to work."),
    "LANGUAGE_LEVEL_OK": pgettext_lazy("finder", "Your German fits this offer."),
    "IN_AREA": pgettext_lazy("finder", "The offer is for people who live where you live."),
}

# Reason codes of failed criteria (only counted: offers that do not fit are not shown).
FAILED: dict[str, Promise] = {
    "AGE_BELOW_MIN": pgettext_lazy("finder", "You are too young."),
    "AGE_ABOVE_MAX": pgettext_lazy("finder", "You are too old."),
    "STATUS_NOT_ALLOWED": pgettext_lazy("finder", "Your residence status does not fit."),
    "STATE_FACILITY": pgettext_lazy("finder", "You still live in a state reception centre."),
    "WORK_BAN_EXPLICIT": pgettext_lazy("finder", "You are not allowed to work at the moment."),
    "WORK_BAN_SAFE_COUNTRY": pgettext_lazy("finder", "You are not allowed to work at the moment."),
    "WORK_NOT_PERMITTED": pgettext_lazy("finder", "You are not allowed to work at the moment."),
    "LANGUAGE_BELOW_MIN": pgettext_lazy("finder", "You need more German for this offer."),
    "LANGUAGE_ABOVE_MAX": pgettext_lazy(
        "finder", "Your German is already better than this course."
    ),
    "OUTSIDE_AREA": pgettext_lazy("finder", "The offer is for people from other places."),
    "PERIOD_NOT_STARTED": pgettext_lazy("finder", "The offer is not running at the moment."),
    "PERIOD_ENDED": pgettext_lazy("finder", "The offer is not running at the moment."),
}

# Facts whose absence leaves a criterion unclear.
MISSING: dict[str, Promise] = {
    "birth_date": pgettext_lazy("finder", "This offer has an age limit. Please enter your age."),
    "residence_status": pgettext_lazy("finder", "It depends on your residence status."),
    "residence_status.paragraph": pgettext_lazy(
        "finder", "It depends on which residence permit you have. Take your papers with you."
    ),
    "benefits": pgettext_lazy(
        "finder",
        "It also depends on the money you get, for example from the Sozialamt or Jobcenter.",
    ),
    "integration_course_access": pgettext_lazy(
        "finder",
        "It also depends on the money you get, for example from the Sozialamt or Jobcenter.",
    ),
    "lives_in_state_facility": pgettext_lazy(
        "finder", "The offer is only for people who no longer live in a state reception centre."
    ),
    "work_permission": pgettext_lazy("finder", "It depends on whether you are allowed to work."),
    "nationality": pgettext_lazy("finder", "It depends on whether you are allowed to work."),
    "first_asylum_request": pgettext_lazy(
        "finder", "It depends on whether you are allowed to work."
    ),
    "german_level": pgettext_lazy(
        "finder", "You need some German for this offer. Tell us how well you speak German."
    ),
    "municipality_ags": pgettext_lazy(
        "finder", "The offer is only for people from certain places. Please choose where you live."
    ),
}
# Never explained to the public: decided by staff from the authorities' information.
SILENT = frozenset({"security_exclusion", "age_exception_reason", "support_need_reason"})


def _unique(texts: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for text in texts:
        if text not in seen:
            seen.append(text)
    return seen


def passed_sentences(results: Iterable[CriterionResult], *, fallback: bool = True) -> list[str]:
    """What fits: one sentence per important passed criterion.  With ``fallback`` (eligible
    offers) never empty: "no special rules" or the generic sentence."""
    required = [r for r in results if r.required]
    texts = _unique(
        str(PASSED[r.reason_code])
        for r in required
        if r.status is CriterionStatus.PASSED and r.reason_code in PASSED
    )
    if texts or not fallback:
        return texts
    return [str(NO_RULES)] if not required else [str(GENERIC_PASSED)]


def unclear_sentences(unknown: Iterable[CriterionResult]) -> list[str]:
    """What is unclear about an offer, from the facts the criteria were missing."""
    texts: list[str] = []
    generic = False
    for r in unknown:
        mapped = [str(MISSING[f]) for f in r.missing_facts if f in MISSING]
        texts.extend(mapped)
        if not mapped:
            generic = True
    result = _unique(texts)
    if generic or not result:
        result.append(str(GENERIC_UNKNOWN))
    return result


def failed_sentences(failed: Iterable[CriterionResult]) -> list[str]:
    texts = [str(FAILED.get(r.reason_code, GENERIC_FAILED)) for r in failed]
    return _unique(texts) or [str(GENERIC_FAILED)]

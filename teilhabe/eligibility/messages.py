"""Texts of the reason codes and hints, in German and English.

A result stores only a code and its arguments; the texts are rendered when asked for, which
keeps :func:`teilhabe.eligibility.evaluate` light.  An argument is either a plain string
(the same in both languages), a ``date`` (rendered DD.MM.YYYY in both languages) or a
``(de, en)`` pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ._util import format_date

Arg = str | tuple[str, str] | date
Args = Mapping[str, Arg]

#: reason code -> (outcome, meaning in English, German template, English template)
REASONS: dict[str, tuple[str, str, str, str]] = {
    # any kind
    "FACT_MISSING": (
        "unknown",
        "A fact the criterion needs is not recorded.",
        "{label}: nicht prüfbar, Angabe fehlt: {fields}",
        "{label}: cannot be checked, missing: {fields}",
    ),
    # age_range
    "AGE_IN_RANGE": (
        "passed",
        "Age on the reference date lies within min_age..max_age (inclusive).",
        "Alter {age} Jahre: im zulässigen Bereich ({range})",
        "Age {age}: within the permitted range ({range})",
    ),
    "AGE_BELOW_MIN": (
        "failed",
        "Younger than min_age on the reference date and no age exception recorded.",
        "Alter {age} Jahre: jünger als das Mindestalter von {min} Jahren",
        "Age {age}: younger than the minimum age of {min}",
    ),
    "AGE_ABOVE_MAX": (
        "failed",
        "Older than max_age on the reference date (28th birthday reached for max_age 27) "
        "and no age exception recorded.",
        "Alter {age} Jahre: älter als das Höchstalter von {max} Jahren",
        "Age {age}: older than the maximum age of {max}",
    ),
    "AGE_EXCEPTION": (
        "passed",
        "Age outside the range, but an age exception with a justification is recorded "
        "(begründeter Einzelfall); passes only together with that recorded justification.",
        "Alter {age} Jahre außerhalb von {range}: Ausnahme im begründeten Einzelfall "
        "({reason}); gilt nur mit der dokumentierten Begründung",
        "Age {age} outside {range}: exception in a justified single case ({reason}); "
        "valid only with the recorded justification",
    ),
    "BIRTH_DATE_AFTER_REFERENCE": (
        "unknown",
        "The recorded birth date lies after the reference date (data error).",
        "Alter nicht prüfbar: Geburtsdatum {birth} liegt nach dem Stichtag {on}",
        "Age cannot be checked: birth date {birth} is after the reference date {on}",
    ),
    # residence_status
    "STATUS_PREFERRED": (
        "passed",
        "The residence status is permitted and belongs to the priority group (preferred).",
        "Aufenthaltsstatus {status}: vorrangige Zielgruppe",
        "Residence status {status}: priority target group",
    ),
    "STATUS_ALLOWED_NOT_PREFERRED": (
        "passed",
        "The residence status is permitted but not in the priority group (preferred).",
        "Aufenthaltsstatus {status}: zulässig, aber nicht vorrangige Zielgruppe",
        "Residence status {status}: permitted, but not the priority target group",
    ),
    "STATUS_ALLOWED": (
        "passed",
        "The residence status is permitted (no priority group configured).",
        "Aufenthaltsstatus {status}: zulässig",
        "Residence status {status}: permitted",
    ),
    "STATUS_NOT_ALLOWED": (
        "failed",
        "The residence status is not among the permitted kinds/paragraphs.",
        "Aufenthaltsstatus {status}: nicht zulässig",
        "Residence status {status}: not permitted",
    ),
    "STATUS_EXPIRED": (
        "unknown",
        "The recorded status expired before the reference date; the current one is missing.",
        "Aufenthaltsstatus {status} war nur bis {until} gültig; aktueller Status fehlt",
        "Residence status {status} was valid only until {until}; current status missing",
    ),
    "STATUS_NOT_YET_VALID": (
        "unknown",
        "The recorded status starts after the reference date.",
        "Aufenthaltsstatus {status} gilt erst ab {since}",
        "Residence status {status} is valid only from {since}",
    ),
    # benefit_access
    "BENEFIT_ACCESS_LIMITED": (
        "passed",
        "No or only subordinate access to SGB benefits and integration courses "
        "(DOMAIN 4.3 R1 priority group).",
        "Kein oder nur nachrangiger Zugang zu SGB-Leistungen und Integrationskursen ({detail})",
        "No or only subordinate access to SGB benefits and integration courses ({detail})",
    ),
    "BENEFIT_ACCESS_FULL": (
        "failed",
        "Access to SGB benefits and/or integration courses; outside the priority group and "
        "no individual support need recorded (or none allowed).",
        "Zugang zu SGB-Leistungen bzw. Integrationskursen ({detail}): nicht vorrangige Zielgruppe",
        "Access to SGB benefits or integration courses ({detail}): not the priority target group",
    ),
    "OTHER_SUPPORT_NEED": (
        "passed",
        "Outside the priority group, but an individual support need is recorded and the "
        "rule allows it ('insbesondere'); passes only with that recorded justification.",
        "Außerhalb der vorrangigen Zielgruppe, zulässig wegen individuellen "
        "Unterstützungsbedarfs ({reason}); Begründung ist zu dokumentieren",
        "Outside the priority group, permitted because of an individual support need "
        "({reason}); the justification must be recorded",
    ),
    # work_permission_required
    "WORK_PERMITTED": (
        "passed",
        "The work permission is among the accepted values.",
        "Beschäftigungserlaubnis: {value}",
        "Work permission: {value}",
    ),
    "WORK_NOT_PERMITTED": (
        "failed",
        "The work permission is not among the accepted values.",
        "Beschäftigung nicht erlaubt ({value})",
        "Employment not permitted ({value})",
    ),
    # no_statutory_work_ban
    "NO_WORK_BAN": (
        "passed",
        "No statutory employment ban: not banned, and the safe-country rule does not apply.",
        "Kein gesetzliches Beschäftigungsverbot erkennbar",
        "No statutory employment ban apparent",
    ),
    "WORK_BAN_ALTFALL_EXCEPTION": (
        "passed",
        "Safe country with a transitional exception (Georgia/Moldova: first asylum request "
        "on or before 30.08.2023, § 104 Abs. 18 AufenthG).",
        "Kein gesetzliches Beschäftigungsverbot: Altfallregelung für {country} "
        "(erstes Asylgesuch am {request}, Stichtag {until})",
        "No statutory employment ban: transitional rule for {country} "
        "(first asylum request on {request}, cut-off {until})",
    ),
    "WORK_BAN_EXPLICIT": (
        "failed",
        "work_permission is 'banned' (recorded employment ban).",
        "Nicht förderfähig in {module}: gesetzliches Beschäftigungsverbot "
        "(§ 60a Abs. 6 AufenthG) – Beschäftigung laut Ausländerbehörde verboten",
        "Not eligible for {module}: statutory employment ban (§ 60a(6) AufenthG) – "
        "employment banned by the immigration office",
    ),
    "WORK_BAN_SAFE_COUNTRY": (
        "failed",
        "Duldung, national of a safe country of origin on the reference date and first "
        "asylum request after the cut-off (31.08.2015) (§ 60a Abs. 6 S. 1 Nr. 3 AufenthG).",
        "Nicht förderfähig in {module}: gesetzliches Beschäftigungsverbot "
        "(§ 60a Abs. 6 AufenthG) – sicherer Herkunftsstaat {country}, erstes Asylgesuch "
        "am {request} nach dem {cutoff}",
        "Not eligible for {module}: statutory employment ban (§ 60a(6) AufenthG) – "
        "safe country of origin {country}, first asylum request on {request} after {cutoff}",
    ),
    # not_in_state_facility
    "NOT_IN_STATE_FACILITY": (
        "passed",
        "Does not live in a state reception facility (Landeseinrichtung).",
        "Wohnt nicht in einer Landeseinrichtung",
        "Does not live in a state reception facility",
    ),
    "STATE_FACILITY": (
        "failed",
        "Lives in a state reception facility; only people assigned to a Kommune qualify.",
        "Wohnt in einer Landeseinrichtung: ausgeschlossen (nur nach Zuweisung an eine Kommune)",
        "Lives in a state reception facility: excluded (only after assignment to a municipality)",
    ),
    # no_security_exclusion
    "NO_SECURITY_EXCLUSION": (
        "passed",
        "Not classed as a security threat (Gefährder) or offender.",
        "Kein Ausschluss als Gefährder/Straftäter",
        "No exclusion as a security threat or offender",
    ),
    "SECURITY_EXCLUSION": (
        "failed",
        "Classed as a security threat (Gefährder) or offender (DOMAIN 4.3 R4).",
        "Ausgeschlossen: als Gefährder/Straftäter eingestuft",
        "Excluded: classed as a security threat or offender",
    ),
    # min_language_level
    "LANGUAGE_LEVEL_OK": (
        "passed",
        "German level within min_level..max_level.",
        "Deutschniveau {level}: passend ({range})",
        "German level {level}: suitable ({range})",
    ),
    "LANGUAGE_BELOW_MIN": (
        "failed",
        "German level below min_level.",
        "Deutschniveau {level}: unter dem erforderlichen Niveau {min}",
        "German level {level}: below the required level {min}",
    ),
    "LANGUAGE_ABOVE_MAX": (
        "failed",
        "German level above max_level (the offer is for lower levels).",
        "Deutschniveau {level}: über dem Zielniveau des Angebots ({max})",
        "German level {level}: above the offer's target level ({max})",
    ),
    # residence_in_area
    "IN_AREA": (
        "passed",
        "municipality_ags starts with one of the area prefixes.",
        "Wohngemeinde {ags} liegt im Gebiet",
        "Municipality {ags} lies within the area",
    ),
    "OUTSIDE_AREA": (
        "failed",
        "municipality_ags matches none of the area prefixes.",
        "Wohngemeinde {ags} liegt außerhalb des Gebiets",
        "Municipality {ags} lies outside the area",
    ),
    "AREA_NOT_CONFIGURED": (
        "unknown",
        "Neither context['area_ags'] (or the configured context key) nor params.ags_prefixes "
        "gives the area.",
        "Gebiet nicht festgelegt (Kontext {key} fehlt)",
        "Area not configured (context {key} missing)",
    ),
    # within_period
    "PERIOD_OK": (
        "passed",
        "Reference date within the programme period.",
        "Stichtag {on} im Programmzeitraum ({period})",
        "Reference date {on} within the programme period ({period})",
    ),
    "PERIOD_EXTENSION": (
        "passed",
        "Reference date after the regular end (regular_until) but within the extended period.",
        "Stichtag {on} im verlängerten Programmzeitraum (regulär bis {regular_until}, "
        "verlängert bis {until})",
        "Reference date {on} within the extended programme period (regularly until "
        "{regular_until}, extended until {until})",
    ),
    "PERIOD_NOT_STARTED": (
        "failed",
        "Reference date before the programme start.",
        "Programm beginnt erst am {start}",
        "Programme starts only on {start}",
    ),
    "PERIOD_ENDED": (
        "failed",
        "Reference date after the programme end.",
        "Programmzeitraum endete am {until}",
        "Programme period ended on {until}",
    ),
}

#: hint code -> (German template, English template)
HINTS: dict[str, tuple[str, str]] = {
    "MISSING": ("Angabe fehlt: {fields}", "missing: {fields}"),
    "TURNS_AGE": ("wird am {date} {age} Jahre alt", "turns {age} on {date}"),
    "LEAVES_AGE_GROUP": (
        "wird am {date} {age} Jahre alt und verlässt damit die Altersgruppe",
        "turns {age} on {date} and thereby leaves the age group",
    ),
    "AGE_EXCEPTION_POSSIBLE": (
        "Ausnahme von der Altersgrenze nur im begründeten Einzelfall mit dokumentierter "
        "Begründung (age_exception_reason)",
        "an exception to the age limit needs a justified single case with a recorded "
        "justification (age_exception_reason)",
    ),
    "AGE_EXCEPTION_RECORDED": (
        "Begründung der Altersausnahme in der Akte dokumentieren",
        "record the justification of the age exception in the file",
    ),
    "STATUS_VALID_UNTIL": ("Status gültig bis {date}", "status valid until {date}"),
    "STATUS_RECORD_CURRENT": (
        "aktuellen Aufenthaltsstatus erfassen",
        "record the current residence status",
    ),
    "STATUS_PERMITTED": ("zulässig: {allowed}", "permitted: {allowed}"),
    "OTHER_SUPPORT_NEED_POSSIBLE": (
        "Teilnahme möglich, wenn ein individueller Unterstützungsbedarf begründet und "
        "dokumentiert wird (support_need_reason)",
        "participation possible if an individual support need is justified and recorded "
        "(support_need_reason)",
    ),
    "APPLY_WORK_PERMISSION": (
        "Beschäftigungserlaubnis bei der Ausländerbehörde beantragen",
        "apply for a work permission at the immigration office (Ausländerbehörde)",
    ),
    "AFTER_ASSIGNMENT": (
        "nach Zuweisung an eine Kommune erneut prüfen",
        "check again after assignment to a municipality",
    ),
    "LANGUAGE_REQUIRED": ("erforderlich: mindestens {min}", "required: at least {min}"),
    "PERIOD_ENDS": ("Programmzeitraum endet am {date}", "programme period ends on {date}"),
    "PERIOD_STARTS": ("Programm beginnt am {date}", "programme starts on {date}"),
    "PERIOD_EXTENSION_CASE": (
        "Förderung über den {date} hinaus nur in begründeten Einzelfällen mit Verlängerung "
        "durch die Bewilligungsbehörde",
        "funding beyond {date} only in justified single cases extended by the funding authority",
    ),
}

#: fact field -> (German label, English label), used in "Angabe fehlt: …" hints
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "birth_date": ("Geburtsdatum", "birth date"),
    "sex": ("Geschlecht", "sex"),
    "nationality": ("Staatsangehörigkeit", "nationality"),
    "residence_status": ("Aufenthaltsstatus", "residence status"),
    "residence_status.paragraph": (
        "Rechtsgrundlage des Aufenthaltsstatus",
        "legal basis of the residence status",
    ),
    "entry_date": ("Einreisedatum", "entry date"),
    "first_asylum_request": ("Datum des ersten Asylgesuchs", "date of the first asylum request"),
    "asylum_decision": ("Asylentscheidung", "asylum decision"),
    "benefits": ("Leistungsbezug", "benefit system"),
    "work_permission": ("Beschäftigungserlaubnis", "work permission"),
    "integration_course_access": ("Zugang zum Integrationskurs", "integration course access"),
    "lives_in_state_facility": (
        "Unterbringung in einer Landeseinrichtung",
        "accommodation in a state facility",
    ),
    "security_exclusion": ("Sicherheitsausschluss (Gefährder)", "security exclusion"),
    "age_exception_reason": ("Begründung der Altersausnahme", "reason for the age exception"),
    "support_need_reason": (
        "Begründung des individuellen Unterstützungsbedarfs",
        "reason for the individual support need",
    ),
    "municipality_ags": ("Wohngemeinde (AGS)", "municipality of residence (AGS)"),
    "german_level": ("Deutschniveau", "German level"),
}

#: criterion kind -> (German label, English label)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "age_range": ("Alter", "Age"),
    "residence_status": ("Aufenthaltsstatus", "Residence status"),
    "benefit_access": (
        "Zugang zu SGB-Leistungen und Integrationskursen",
        "Access to SGB benefits and integration courses",
    ),
    "work_permission_required": ("Beschäftigungserlaubnis", "Work permission"),
    "no_statutory_work_ban": ("Gesetzliches Beschäftigungsverbot", "Statutory employment ban"),
    "not_in_state_facility": ("Landeseinrichtung", "State reception facility"),
    "no_security_exclusion": ("Sicherheitsausschluss", "Security exclusion"),
    "min_language_level": ("Deutschniveau", "German level"),
    "residence_in_area": ("Wohnort", "Place of residence"),
    "within_period": ("Programmzeitraum", "Programme period"),
}

BENEFIT_LABELS: dict[str, tuple[str, str]] = {
    "asylblg": ("Leistungen nach AsylbLG", "benefits under AsylbLG"),
    "sgb2": ("Leistungen nach SGB II", "benefits under SGB II"),
    "sgb12": ("Leistungen nach SGB XII", "benefits under SGB XII"),
    "none": ("keine Sozialleistungen", "no social benefits"),
}

WORK_PERMISSION_LABELS: dict[str, tuple[str, str]] = {
    "permitted": ("erlaubt", "permitted"),
    "needs_approval": ("nur mit Erlaubnis, noch nicht erteilt", "requires approval, not granted"),
    "banned": ("verboten", "banned"),
}


def _pick(value: Arg, index: int) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return format_date(value)
    return value[index]


def render(template: str, args: Args, index: int) -> str:
    if not args:
        return template
    return template.format_map({k: _pick(v, index) for k, v in args.items()})


def reason_text(code: str, args: Args, lang: str) -> str:
    entry = REASONS[code]
    return render(entry[2] if lang == "de" else entry[3], args, 0 if lang == "de" else 1)


def hint_text(code: str, args: Args, lang: str) -> str:
    entry = HINTS[code]
    return render(entry[0] if lang == "de" else entry[1], args, 0 if lang == "de" else 1)


def field_list(names: tuple[str, ...]) -> tuple[str, str]:
    """``("Geburtsdatum, Leistungsbezug", "birth date, benefit system")``."""
    de = ", ".join(FIELD_LABELS.get(n, (n, n))[0] for n in names)
    en = ", ".join(FIELD_LABELS.get(n, (n, n))[1] for n in names)
    return de, en

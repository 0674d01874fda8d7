"""The fixed breakdown standard for target-group figures (UB2 "inter-municipally comparable
standards").  Every tenant records and imports its figures in exactly these categories so
that Kommunen can be compared; see ``docs/bedarfsanalyse.md``.

Changing a code here is a data migration: codes are stored in the database and in import files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusGroup(models.TextChoices):
    """Status groups = the columns of the gap matrix (residence status kind + paragraphs)."""

    GESTATTUNG = "gestattung", _("Aufenthaltsgestattung / Ankunftsnachweis")
    DULDUNG = "duldung", _("Duldung (§60a, §60b)")
    DULDUNG_60C_60D = "duldung_60c_60d", _("Ausbildungs-/Beschäftigungsduldung (§60c, §60d)")
    AE_SCHUTZ = "ae_schutz", _("AE Schutzstatus (§25 Abs. 1–3)")
    AE_25_4_5 = "ae_25_4_5", _("AE §25 Abs. 4/5")
    AE_BLEIBERECHT = "ae_bleiberecht", _("AE Bleiberecht (§25a, §25b, §104c)")
    AE_24 = "ae_24", _("AE vorübergehender Schutz (§24)")
    AE_SONSTIGE = "ae_sonstige", _("AE sonstige (§16g, §19d, §23 u. a.)")
    NIEDERLASSUNG = "niederlassung", _("Niederlassungserlaubnis")
    SONSTIGE = "sonstige", _("ohne Status / unbekannt")


class AgeBand(models.TextChoices):
    A18_20 = "18_20", "18–20"
    A21_24 = "21_24", "21–24"
    A25_27 = "25_27", "25–27"


class SexCode(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    DIVERSE = "diverse", _("diverse")
    UNKNOWN = "unknown", _("not stated")


class BenefitCode(models.TextChoices):
    ASYLBLG = "asylblg", "AsylbLG"
    SGB2 = "sgb2", "SGB II"
    SGB12 = "sgb12", "SGB XII"
    NONE = "none", _("none")
    UNKNOWN = "unknown", _("not stated")


# Nationalities reported individually (ISO 3166-1 alpha-2); everything else is "other".
TOP_NATIONALITIES = ("SY", "AF", "IQ", "UA", "TR", "ER", "GN", "NG", "IR", "SO", "GE", "XK")
NATIONALITY_OTHER = "other"
NATIONALITY_UNKNOWN = "unknown"
NATIONALITY_CODES = (*TOP_NATIONALITIES, NATIONALITY_OTHER, NATIONALITY_UNKNOWN)


@dataclass(frozen=True)
class GroupRepresentative:
    """The residence status a status group stands for when the eligibility engine checks
    whether an offer's rule set admits the group."""

    kind: str
    paragraph: str | None
    benefits: str
    work_permission: str
    integration_course_access: bool


REPRESENTATIVES: dict[str, GroupRepresentative] = {
    StatusGroup.GESTATTUNG: GroupRepresentative(
        "gestattung", None, "asylblg", "needs_approval", False
    ),
    StatusGroup.DULDUNG: GroupRepresentative("duldung", "60a", "asylblg", "needs_approval", False),
    StatusGroup.DULDUNG_60C_60D: GroupRepresentative(
        "duldung", "60c", "asylblg", "permitted", False
    ),
    StatusGroup.AE_SCHUTZ: GroupRepresentative(
        "aufenthaltserlaubnis", "25_2", "sgb2", "permitted", True
    ),
    StatusGroup.AE_25_4_5: GroupRepresentative(
        "aufenthaltserlaubnis", "25_5", "asylblg", "permitted", False
    ),
    StatusGroup.AE_BLEIBERECHT: GroupRepresentative(
        "aufenthaltserlaubnis", "25a", "sgb2", "permitted", True
    ),
    StatusGroup.AE_24: GroupRepresentative("aufenthaltserlaubnis", "24", "sgb2", "permitted", True),
    StatusGroup.AE_SONSTIGE: GroupRepresentative(
        "aufenthaltserlaubnis", "sonstige", "sgb2", "permitted", True
    ),
    StatusGroup.NIEDERLASSUNG: GroupRepresentative(
        "niederlassungserlaubnis", None, "sgb2", "permitted", True
    ),
    StatusGroup.SONSTIGE: GroupRepresentative("unknown", None, "none", "needs_approval", False),
}

_PARAGRAPH_GROUPS = {
    ("duldung", "60c"): StatusGroup.DULDUNG_60C_60D,
    ("duldung", "60d"): StatusGroup.DULDUNG_60C_60D,
    ("aufenthaltserlaubnis", "25_1"): StatusGroup.AE_SCHUTZ,
    ("aufenthaltserlaubnis", "25_2"): StatusGroup.AE_SCHUTZ,
    ("aufenthaltserlaubnis", "25_3"): StatusGroup.AE_SCHUTZ,
    ("aufenthaltserlaubnis", "25_4"): StatusGroup.AE_25_4_5,
    ("aufenthaltserlaubnis", "25_5"): StatusGroup.AE_25_4_5,
    ("aufenthaltserlaubnis", "25a"): StatusGroup.AE_BLEIBERECHT,
    ("aufenthaltserlaubnis", "25b"): StatusGroup.AE_BLEIBERECHT,
    ("aufenthaltserlaubnis", "104c"): StatusGroup.AE_BLEIBERECHT,
    ("aufenthaltserlaubnis", "24"): StatusGroup.AE_24,
}
_KIND_GROUPS = {
    "gestattung": StatusGroup.GESTATTUNG,
    "ankunftsnachweis": StatusGroup.GESTATTUNG,
    "duldung": StatusGroup.DULDUNG,
    "aufenthaltserlaubnis": StatusGroup.AE_SONSTIGE,
    "niederlassungserlaubnis": StatusGroup.NIEDERLASSUNG,
}


def status_group_for(kind: str | None, paragraph: str | None) -> str:
    """The status group of a recorded residence status (kind + paragraph code)."""
    if not kind:
        return StatusGroup.SONSTIGE
    para = (paragraph or "").strip().lower().replace("§", "").replace(" ", "")
    group = _PARAGRAPH_GROUPS.get((kind, para))
    if group is not None:
        return group
    return _KIND_GROUPS.get(kind, StatusGroup.SONSTIGE)


def age_band_for(birth: date, on: date) -> str | None:
    """The age band on ``on``; ``None`` outside 18–27."""
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if 18 <= age <= 20:
        return AgeBand.A18_20
    if 21 <= age <= 24:
        return AgeBand.A21_24
    if 25 <= age <= 27:
        return AgeBand.A25_27
    return None

"""The finder's questions (GET only, nothing stored) and their translation into engine facts.

Approximations, documented in docs/angebotssuche.md:

* An age ``A`` becomes the birth date ``today − A years``: the person is exactly ``A`` on the
  reference date (today), which is all the age criteria look at.
* A year of birth ``Y`` leaves two possible ages.  The form then yields two sets of facts
  (born 1 January and 31 December of ``Y``); where they lead to different results, the
  finder reports the offer as unclear ("it depends on your birthday").
* "Aufenthaltserlaubnis" without a paragraph stays without one: a rule that depends on the
  paragraph reports "unclear", never "fulfilled".
* "I don't know" and every question left out are missing facts.  So are all facts the finder
  does not ask (benefits, state facility, work permission, …).
* Ticking "I am a woman" records ``sex = female``; not ticking records nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import pgettext_lazy

from teilhabe.eligibility import Facts
from teilhabe.offers.models import Category
from teilhabe.territory.models import Territory

from .languages import FinderLanguage

MIN_AGE = 14
MAX_AGE = 40

CHOOSE_FROM_LIST = pgettext_lazy("finder", "Please choose an answer from the list.")
AGE_INVALID = pgettext_lazy("finder", "Please write your age as a number, for example 19.")
YEAR_INVALID = pgettext_lazy(
    "finder", "Please write your year of birth as a number, for example 2004."
)


@dataclass(frozen=True)
class Option:
    """A radio or checkbox option: label in the page language, optionally the German term
    the person finds on their papers (shown isolated, marked ``lang="de"``)."""

    value: str
    label: Any
    term: str = ""
    term_lang: str = "de"


STATUS_OPTIONS: tuple[Option, ...] = (
    Option(
        "gestattung",
        pgettext_lazy("finder", "I am in the asylum procedure"),
        "Aufenthaltsgestattung",
    ),
    Option("duldung", pgettext_lazy("finder", "I have a Duldung"), "Duldung"),
    Option(
        "aufenthaltserlaubnis",
        pgettext_lazy("finder", "I have a residence permit"),
        "Aufenthaltserlaubnis",
    ),
    Option(
        "ukraine",
        pgettext_lazy("finder", "I have protection because of the war in Ukraine"),
        "§ 24 AufenthG",
    ),
    Option("unbekannt", pgettext_lazy("finder", "I don't know")),
)
STATUS_FACTS: dict[str, dict[str, str] | None] = {
    "gestattung": {"kind": "gestattung"},
    "duldung": {"kind": "duldung"},
    "aufenthaltserlaubnis": {"kind": "aufenthaltserlaubnis"},
    "ukraine": {"kind": "aufenthaltserlaubnis", "paragraph": "24"},
    "unbekannt": None,
}  # option -> the fact residence_status (None: missing)

GERMAN_OPTIONS: tuple[Option, ...] = (
    Option("A0", pgettext_lazy("finder", "I don't speak German yet")),
    Option("A1", pgettext_lazy("finder", "A little"), "A1", ""),
    Option("A2", pgettext_lazy("finder", "I can have simple conversations"), "A2", ""),
    Option("B1", pgettext_lazy("finder", "I can talk about many things"), "B1", ""),
    Option("B2", pgettext_lazy("finder", "Very well"), "B2–C2", ""),
    Option("unbekannt", pgettext_lazy("finder", "I don't know")),
)


def parse_number(value: str) -> int | None:
    """Digits in any script (Python's ``int`` reads "٢٢" and "۲۲" as 22); None if no number."""
    text = value.strip()
    if not text or not text.isdecimal() or len(text) > 4:
        return None
    return int(text)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class Answers:
    """What the questions yield: one or two sets of facts (see the module docstring)."""

    facts: list[Facts]
    categories: list[str] = field(default_factory=list)
    gemeinde_ags: str | None = None
    woman: bool = False


class FinderForm(forms.Form):
    alter = forms.CharField(
        label=pgettext_lazy("finder", "Age in years"),
        required=False,
        max_length=8,
        error_messages={"max_length": AGE_INVALID},
    )
    geburtsjahr = forms.CharField(
        label=pgettext_lazy("finder", "Year of birth"),
        required=False,
        max_length=8,
        error_messages={"max_length": YEAR_INVALID},
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("finder", "Which papers do you have?"),
        required=False,
        choices=[(o.value, o.value) for o in STATUS_OPTIONS],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    ort = forms.ChoiceField(
        label=pgettext_lazy("finder", "Where do you live?"),
        required=False,
        error_messages={
            "invalid_choice": pgettext_lazy("finder", "Please choose a place from the list.")
        },
    )
    suche = forms.MultipleChoiceField(
        label=pgettext_lazy("finder", "What are you looking for?"),
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    deutsch = forms.ChoiceField(
        label=pgettext_lazy("finder", "How well do you speak German?"),
        required=False,
        choices=[(o.value, o.value) for o in GERMAN_OPTIONS],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    frau = forms.BooleanField(label=pgettext_lazy("finder", "I am a woman"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        today: date,
        language: FinderLanguage,
        gemeinden: Iterable[Territory],
        categories: Iterable[Category],
    ) -> None:
        super().__init__(data)
        self.today = today
        self.gemeinden = list(gemeinden)
        cast(forms.ChoiceField, self.fields["ort"]).choices = [("", "")] + [
            (g.ags, g.name) for g in self.gemeinden
        ]
        self.category_options = [Option(c.code, category_name(c, language)) for c in categories]
        cast(forms.MultipleChoiceField, self.fields["suche"]).choices = [
            (o.value, o.value) for o in self.category_options
        ]

    # --- the options with their current state, for the template ------------------------------

    def _selected(self, name: str) -> set[str]:
        if not self.is_bound:
            return set()
        if name == "suche":
            return set(self.data.getlist(name)) if hasattr(self.data, "getlist") else set()
        return {str(self.data.get(name, ""))}

    def options(self, name: str, options: Sequence[Option]) -> list[dict[str, Any]]:
        """Call while the page language is active: the labels are rendered here."""
        selected = self._selected(name)
        result = []
        for i, o in enumerate(options):
            label = str(o.label)
            result.append(
                {
                    "value": o.value,
                    "label": label,
                    # German terms already in the label (German pages) are not repeated.
                    "term": o.term if o.term and o.term not in label else "",
                    "term_lang": o.term_lang,
                    "id": f"id_{name}_{i}",
                    "checked": o.value in selected,
                }
            )
        return result

    @property
    def status_options(self) -> list[dict[str, Any]]:
        return self.options("status", STATUS_OPTIONS)

    @property
    def german_options(self) -> list[dict[str, Any]]:
        return self.options("deutsch", GERMAN_OPTIONS)

    @property
    def wanted_options(self) -> list[dict[str, Any]]:
        return self.options("suche", self.category_options)

    def error_summary(self) -> list[tuple[str, str]]:
        """(id of the field's first input, message) for the summary at the top."""
        first = {"status": "id_status_0", "suche": "id_suche_0", "deutsch": "id_deutsch_0"}
        return [
            (first.get(name, f"id_{name}"), str(message))
            for name, messages in self.errors.items()
            for message in messages
        ]

    # --- validation ---------------------------------------------------------------------------

    def clean_alter(self) -> int | None:
        raw = self.cleaned_data.get("alter") or ""
        if not raw.strip():
            return None
        age = parse_number(raw)
        if age is None:
            raise forms.ValidationError(AGE_INVALID)
        if not MIN_AGE <= age <= MAX_AGE:
            raise forms.ValidationError(
                pgettext_lazy("finder", "Please enter an age between %(min)s and %(max)s.")
                % {"min": MIN_AGE, "max": MAX_AGE}
            )
        return age

    def clean_geburtsjahr(self) -> int | None:
        raw = self.cleaned_data.get("geburtsjahr") or ""
        if not raw.strip():
            return None
        year = parse_number(raw)
        if year is None:
            raise forms.ValidationError(YEAR_INVALID)
        first, last = self.today.year - MAX_AGE - 1, self.today.year - MIN_AGE
        if not first <= year <= last:
            raise forms.ValidationError(
                pgettext_lazy("finder", "Please enter a year of birth between %(min)s and %(max)s.")
                % {"min": first, "max": last}
            )
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age, year = data.get("alter"), data.get("geburtsjahr")
        possible = () if year is None else (self.today.year - year - 1, self.today.year - year)
        if age is not None and year is not None and age not in possible:
            self.add_error(
                "geburtsjahr",
                pgettext_lazy(
                    "finder",
                    "Age and year of birth do not match. Please fill in only one of them.",
                ),
            )
        return data

    # --- answers -> facts -----------------------------------------------------------------------

    def birth_dates(self) -> list[date | None]:
        """One birth date for an age, two (earliest and latest) for a year of birth."""
        age, year = self.cleaned_data.get("alter"), self.cleaned_data.get("geburtsjahr")
        if age is not None:
            return [years_before(self.today, age)]
        if year is not None:
            early, late = date(year, 1, 1), date(year, 12, 31)
            if late > self.today:  # the youngest possible person is not born yet
                return [early]
            if _age(early, self.today) == _age(late, self.today):
                return [early]
            return [early, late]
        return [None]

    def answers(self) -> Answers:
        d = self.cleaned_data
        person: dict[str, Any] = {}
        status = STATUS_FACTS.get(d.get("status") or "unbekannt")
        if status is not None:
            person["residence_status"] = dict(status)
        if d.get("ort"):
            # A kreisfreie Stadt carries its 5-digit key in the reference data; its 8-digit
            # Gemeindeschlüssel (what the engine expects) ends in 000, e.g. 05711000.
            person["municipality_ags"] = d["ort"].ljust(8, "0")
        if d.get("deutsch") and d["deutsch"] != "unbekannt":
            person["german_level"] = d["deutsch"]
        if d.get("frau"):
            person["sex"] = "female"
        facts = []
        for birth in self.birth_dates():
            variant = dict(person)
            if birth is not None:
                variant["birth_date"] = birth.isoformat()
            facts.append(Facts.from_dict(variant))
        return Answers(
            facts=facts,
            categories=list(d.get("suche") or []),
            gemeinde_ags=d.get("ort") or None,
            woman=bool(d.get("frau")),
        )


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def category_name(category: Category, language: FinderLanguage) -> str:
    if language.plain:
        return category.name_plain or category.name
    return category.name_in(language.content)

"""Parsing person records: every malformed field raises FactsError naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from teilhabe.eligibility import Facts, FactsError, ResidenceStatus
from teilhabe.eligibility.reference import residence_status_catalogue_from_dict

from .support import BASE_PERSON


def test_full_record_parses_and_round_trips() -> None:
    facts = Facts.from_dict(BASE_PERSON)
    assert facts.birth_date == date(2000, 5, 10)
    assert facts.residence_status == ResidenceStatus("duldung", "60a", date(2020, 1, 1), None)
    assert Facts.from_dict(facts.to_dict()) == facts


def test_empty_record_means_every_fact_missing() -> None:
    assert Facts.from_dict({}) == Facts()
    assert all(v is None for v in Facts().to_dict().values())


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"birth_date": "2001-13-01"}, "birth_date"),
        ({"birth_date": "01.02.2001"}, "birth_date"),
        ({"birth_date": "20010201"}, "birth_date"),
        ({"birth_date": 2001}, "birth_date"),
        ({"entry_date": "2016-02-30"}, "entry_date"),
        ({"first_asylum_request": "yesterday"}, "first_asylum_request"),
        ({"residence_status": {"kind": "visum"}}, "residence_status.kind"),
        ({"residence_status": {"paragraph": "60a"}}, "residence_status.kind"),
        (
            {"residence_status": {"kind": "duldung", "paragraph": "25_2"}},
            "residence_status.paragraph",
        ),
        (
            {"residence_status": {"kind": "gestattung", "paragraph": "55"}},
            "residence_status.paragraph",
        ),
        (
            {"residence_status": {"kind": "duldung", "until": "2020-02-31"}},
            "residence_status.until",
        ),
        (
            {"residence_status": {"kind": "duldung", "since": "2021-01-01", "until": "2020-01-01"}},
            "residence_status.until",
        ),
        ({"residence_status": {"kind": "duldung", "valid": True}}, "residence_status.valid"),
        ({"residence_status": 5}, "residence_status"),
        ({"sex": "f"}, "sex"),
        ({"nationality": "Syria"}, "nationality"),
        ({"benefits": "sgb3"}, "benefits"),
        ({"work_permission": "yes"}, "work_permission"),
        ({"asylum_decision": "granted"}, "asylum_decision"),
        ({"integration_course_access": "no"}, "integration_course_access"),
        ({"lives_in_state_facility": 0}, "lives_in_state_facility"),
        ({"security_exclusion": "false"}, "security_exclusion"),
        ({"age_exception_reason": 5}, "age_exception_reason"),
        ({"municipality_ags": "5754008"}, "municipality_ags"),
        ({"german_level": "B3"}, "german_level"),
        ({"birthdate": "2000-01-01"}, "birthdate"),
    ],
)
def test_bad_field_raises_facts_error_naming_it(data: dict[str, Any], field: str) -> None:
    with pytest.raises(FactsError) as info:
        Facts.from_dict(data)
    assert info.value.field == field
    assert info.value.message and info.value.message_en
    assert str(info.value).startswith(field)


def test_unknown_fields_can_be_ignored_explicitly() -> None:
    assert Facts.from_dict({"name": "X", "sex": "male"}, strict=False) == Facts(sex="male")


def test_status_kind_as_string_and_lower_case_nationality() -> None:
    facts = Facts.from_dict({"residence_status": "gestattung", "nationality": "sy"})
    assert facts.residence_status == ResidenceStatus("gestattung")
    assert facts.nationality == "SY"


def test_blank_reasons_count_as_missing() -> None:
    facts = Facts.from_dict({"age_exception_reason": "  ", "support_need_reason": ""})
    assert facts.age_exception_reason is None and facts.support_need_reason is None


def test_catalogue_is_editable_data() -> None:
    """A kind added to the catalogue (database copy) is accepted; unknown otherwise."""
    catalogue = residence_status_catalogue_from_dict(
        {"kinds": [{"code": "visum", "name_de": "Visum", "name_en": "visa"}]}
    )
    facts = Facts.from_dict({"residence_status": {"kind": "visum"}}, catalogue=catalogue)
    assert facts.residence_status == ResidenceStatus("visum")
    with pytest.raises(FactsError):
        Facts.from_dict({"residence_status": {"kind": "duldung"}}, catalogue=catalogue)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"benefits": "sgb3"}, "benefits"),
        ({"german_level": "B3"}, "german_level"),
        ({"birth_date": "2000-01-01"}, "birth_date"),
        ({"security_exclusion": 1}, "security_exclusion"),
    ],
)
def test_direct_construction_is_checked_too(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(FactsError) as info:
        Facts(**kwargs)
    assert info.value.field == field

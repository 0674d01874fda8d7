"""Rule sets as data: validation, round trip, the shipped files and reference tables."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from teilhabe.eligibility import (
    PROGRAMME_RULE_SET_CODES,
    REASONS,
    RuleSet,
    load_programme_rule_sets,
    load_reference_data,
    load_rule_set_definitions,
    residence_status_catalogue_from_dict,
    rule_set_from_dict,
    safe_country_table_from_dict,
    select_versions,
)
from teilhabe.eligibility.criteria import KINDS
from teilhabe.eligibility.reference import DATA_DIR

from .support import RULE_SETS, TARGET

MINIMAL: dict[str, Any] = {
    "code": "offer.test",
    "name_de": "Testangebot",
    "name_en": "Test offer",
    "valid_from": "2024-01-01",
    "criteria": [{"code": "age", "kind": "age_range", "params": {"min_age": 18}}],
}


def test_load_programme_rule_sets_has_the_six_codes() -> None:
    assert list(load_programme_rule_sets()) == list(PROGRAMME_RULE_SET_CODES)
    assert list(RULE_SETS) == [
        "diaa.target_group",
        "diaa.f1",
        "diaa.f2",
        "diaa.f3",
        "diaa.f4",
        "diaa.f5",
    ]


def test_shipped_files_are_canonical_round_trips() -> None:
    """The JSON files are exactly what ``to_dict`` produces, so a database copy written
    with ``to_dict`` and read back is identical."""
    for definition in load_rule_set_definitions():
        rule_set = rule_set_from_dict(definition)
        assert rule_set.to_dict() == definition
        assert rule_set_from_dict(rule_set.to_dict()) == rule_set


def test_every_shipped_criterion_has_a_source() -> None:
    for rule_set in RULE_SETS.values():
        assert rule_set.source.strip()
        for criterion in rule_set.criteria:
            assert "http" in criterion.source, (rule_set.code, criterion.code)
            assert "DOMAIN.md" in criterion.source


def test_modules_repeat_the_target_group_criteria() -> None:
    """F1–F5 are self-contained copies of the target group plus their own criteria; only
    the period is required in the modules."""
    target = {c.code: c for c in TARGET.criteria}
    for code in PROGRAMME_RULE_SET_CODES[1:]:
        module = {c.code: c for c in RULE_SETS[code].criteria}
        for c_code, criterion in target.items():
            other = module[c_code]
            assert (other.kind, dict(other.params), other.source) == (
                criterion.kind,
                dict(criterion.params),
                criterion.source,
            )
            assert other.required == (True if c_code == "programme_period" else criterion.required)
    assert target["programme_period"].required is False
    assert {c.code for c in RULE_SETS["diaa.f2"].criteria} - set(target) == {
        "no_statutory_work_ban",
        "work_permission",
    }


def test_unverified_items_are_marked_in_the_data() -> None:
    period = TARGET.criterion("programme_period")
    assert any("[UNVERIFIED]" in n and "30.06.2023" in n for n in period.notes)
    assert TARGET.valid_until == date(2023, 6, 30)
    assert dict(period.params) == {"regular_until": "2022-12-31"}
    table = json.loads((DATA_DIR / "safe_countries_of_origin.json").read_text("utf-8"))
    assert any("CONFIGURABLE" in n for n in table["notes"])
    assert any("[UNVERIFIED]" in n for n in table["notes"])


def test_safe_country_table_contents() -> None:
    table = load_reference_data().safe_countries
    for country in ("AL", "BA", "ME", "MK", "RS", "XK", "GH", "SN"):
        assert table.entry_on(country, date(2020, 1, 1)) is not None
    for country in ("GE", "MD"):
        assert table.entry_on(country, date(2023, 12, 22)) is None
        entry = table.entry_on(country, date(2023, 12, 23))
        assert entry is not None and entry.work_ban_exception is not None
        assert entry.work_ban_exception.asylum_request_until == date(2023, 8, 30)
    assert table.entry_on("SY", date(2020, 1, 1)) is None
    assert safe_country_table_from_dict(table.to_dict()) == table


def test_catalogue_round_trip() -> None:
    catalogue = load_reference_data().residence_statuses
    assert residence_status_catalogue_from_dict(catalogue.to_dict()) == catalogue
    assert {
        "gestattung",
        "duldung",
        "aufenthaltserlaubnis",
        "niederlassungserlaubnis",
        "ankunftsnachweis",
        "none",
        "unknown",
    } <= set(catalogue.codes())
    duldung = catalogue.get("duldung")
    assert duldung is not None
    assert [p.code for p in duldung.paragraphs] == ["60a", "60a_2_3", "60b", "60c", "60d"]


def test_minimal_definition_gets_defaults() -> None:
    rule_set = rule_set_from_dict(MINIMAL)
    assert rule_set.valid_until is None
    criterion = rule_set.criteria[0]
    assert (criterion.required, criterion.source, criterion.notes) == (True, "", ())
    assert rule_set_from_dict(rule_set.to_dict()) == rule_set


def _broken(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is KeyError:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("code", KeyError, "missing key"),
        ("valid_from", "01.01.2024", "valid_from"),
        ("valid_until", "2023-01-01", "valid_until is before valid_from"),
        ("criteria", {}, "expected a list"),
        ("extra", 1, "unknown key"),
        ("criteria.0.kind", "astrology", "unknown kind"),
        ("criteria.0.required", "yes", "required"),
        ("criteria.0.params", {"min_age": "18"}, "min_age"),
        ("criteria.0.params", {}, "needs min_age or max_age"),
        ("criteria.0.params", {"min_age": 30, "max_age": 20}, "greater than"),
        ("criteria.0.params", {"min_age": 18, "colour": "red"}, "unknown parameter"),
        ("criteria.0.notes", "text", "notes"),
    ],
)
def test_bad_definitions_raise_value_error(path: str, value: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        rule_set_from_dict(_broken(path, value))


@pytest.mark.parametrize(
    ("kind", "params", "fragment"),
    [
        ("residence_status", {}, "allowed"),
        ("residence_status", {"allowed": []}, "empty"),
        ("residence_status", {"allowed": ["visum"]}, "unknown residence status kind"),
        ("residence_status", {"allowed": ["duldung:25_2"]}, "unknown paragraph"),
        (
            "residence_status",
            {"allowed": "any", "preferred": [{"kind": "duldung", "x": 1}]},
            "kind",
        ),
        ("benefit_access", {"allowed_benefits": ["sgb3"]}, "unknown value"),
        ("benefit_access", {"combine": "xor"}, "combine"),
        ("work_permission_required", {"accepted": "permitted"}, "list"),
        ("no_statutory_work_ban", {"asylum_request_cutoff": "31.08.2015"}, "cutoff"),
        ("no_statutory_work_ban", {"applies_to_kinds": ["visum"]}, "unknown kind"),
        ("not_in_state_facility", {"strict": True}, "unknown parameter"),
        ("min_language_level", {}, "min_level"),
        ("min_language_level", {"min_level": "B1", "max_level": "A1"}, "above"),
        ("residence_in_area", {"ags_prefixes": ["05A"]}, "AGS"),
        ("within_period", {"from": "2024-01-01", "until": "2023-01-01"}, "before"),
        ("within_period", {"until": "2023-01-01", "regular_until": "2024-01-01"}, "after"),
    ],
)
def test_bad_params_per_kind(kind: str, params: dict[str, Any], fragment: str) -> None:
    data = copy.deepcopy(MINIMAL)
    data["criteria"] = [{"code": "c", "kind": kind, "params": params}]
    with pytest.raises(ValueError, match=fragment):
        rule_set_from_dict(data)


def test_duplicate_criterion_code_is_rejected() -> None:
    data = copy.deepcopy(MINIMAL)
    data["criteria"] = data["criteria"] * 2
    with pytest.raises(ValueError, match="twice"):
        rule_set_from_dict(data)


def test_select_versions_by_date() -> None:
    old = rule_set_from_dict({**MINIMAL, "valid_until": "2024-12-31"})
    new = rule_set_from_dict({**MINIMAL, "valid_from": "2025-01-01"})
    assert select_versions([old, new])["offer.test"] is new
    assert select_versions([old, new], date(2024, 6, 1))["offer.test"] is old
    assert select_versions([old, new], date(2030, 1, 1))["offer.test"] is new
    assert select_versions([new, old], date(2020, 1, 1))["offer.test"] is old
    with pytest.raises(ValueError, match="two versions"):
        select_versions([old, old])


def test_rule_sets_from_another_directory(tmp_path: Path) -> None:
    (tmp_path / "offer.json").write_text(json.dumps(MINIMAL), encoding="utf-8")
    loaded = load_programme_rule_sets(directory=tmp_path)
    assert list(loaded) == ["offer.test"]
    assert isinstance(loaded["offer.test"], RuleSet)


def test_every_kind_is_documented_and_every_reason_has_texts() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "eligibility.md").read_text("utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in docs, kind
    for code, (outcome, meaning, de, en) in REASONS.items():
        assert outcome in {"passed", "failed", "unknown"}
        assert meaning and de and en
        assert f"`{code}`" in docs, code


def test_rule_sets_are_hashable_and_immutable() -> None:
    """Rule sets can be cached and used as keys (the Django side caches compiled sets)."""
    assert len(set(RULE_SETS.values())) == 6
    with pytest.raises(AttributeError):
        TARGET.code = "x"  # type: ignore[misc]

"""``python -m teilhabe.eligibility check`` via subprocess: exit codes, JSON output and
errors naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .support import BASE_PERSON

ROOT = Path(__file__).resolve().parents[2]
DOC = {"reference_date": "2021-03-01", "person": BASE_PERSON}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (fixed argv: this interpreter and our module)
        [sys.executable, "-m", "teilhabe.eligibility", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_check_file_single_document(tmp_path: Path) -> None:
    path = tmp_path / "person.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    proc = run("check", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = json.loads(proc.stdout)
    assert out["reference_date"] == "2021-03-01"
    assert out["summary"] == {
        "diaa.target_group": "eligible",
        "diaa.f1": "eligible",
        "diaa.f2": "eligible",
        "diaa.f3": "eligible",
        "diaa.f4": "eligible",
        "diaa.f5": "eligible",
    }
    assert out["target_group"]["rule_set"] == "diaa.target_group"
    assert list(out["modules"]) == ["diaa.f1", "diaa.f2", "diaa.f3", "diaa.f4", "diaa.f5"]
    f2 = out["modules"]["diaa.f2"]
    codes = [r["criterion_code"] for r in f2["results"]]
    assert "no_statutory_work_ban" in codes
    for result in f2["results"]:
        assert set(result) >= {
            "criterion_code",
            "status",
            "reason_code",
            "message_de",
            "message_en",
            "hint_de",
            "hint_en",
            "source",
        }


def test_check_stdin_list_with_ids_and_context() -> None:
    docs = [
        {**DOC, "id": "a"},
        {
            "id": "b",
            "reference_date": "2021-03-01",
            "person": {**BASE_PERSON, "work_permission": "banned"},
            "context": {"area_ags": ["05754"]},
        },
    ]
    proc = run("check", "-", "--compact", stdin=json.dumps(docs))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1
    out = json.loads(proc.stdout)
    assert [(d["index"], d["id"]) for d in out] == [(0, "a"), (1, "b")]
    f2 = out[1]["modules"]["diaa.f2"]
    assert f2["status"] == "not_eligible"
    ban = next(r for r in f2["results"] if r["criterion_code"] == "no_statutory_work_ban")
    assert ban["message_de"].startswith(
        "Nicht förderfähig in F2: gesetzliches Beschäftigungsverbot (§ 60a Abs. 6 AufenthG)"
    )


def test_missing_facts_give_unknown_with_hints() -> None:
    proc = run("check", "-", stdin=json.dumps({"reference_date": "2021-03-01", "person": {}}))
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["target_group"]["status"] == "unknown"
    age = out["target_group"]["results"][0]
    assert (age["status"], age["hint_de"], age["hint_en"]) == (
        "unknown",
        "Angabe fehlt: Geburtsdatum",
        "missing: birth date",
    )


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (
            {"reference_date": "2021-03-01", "person": {"birth_date": "2001-02-30"}},
            "person.birth_date",
        ),
        (
            {"reference_date": "2021-03-01", "person": {"residence_status": {"kind": "fiktion"}}},
            "person.residence_status.kind",
        ),
        ({"person": {}}, "reference_date"),
        ({"reference_date": "1.3.2021", "person": {}}, "reference_date"),
        ({"reference_date": "2021-03-01"}, "person"),
        ({"reference_date": "2021-03-01", "person": [], "x": 1}, "x"),
        (
            {"reference_date": "2021-03-01", "person": {}, "context": {"area_ags": [1]}},
            "context.area_ags",
        ),
        ({"reference_date": "2021-03-01", "person": {}, "context": []}, "context"),
    ],
)
def test_bad_document_exit_2_names_field_and_prints_nothing(doc: Any, field: str) -> None:
    proc = run("check", "-", stdin=json.dumps(doc))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"field {field}:" in proc.stderr or f"Feld/field {field}:" in proc.stderr


def test_bad_document_in_list_is_left_out_and_named() -> None:
    docs = [DOC, {"reference_date": "2021-03-01", "person": {"sex": "x"}}, DOC]
    proc = run("check", "-", stdin=json.dumps(docs))
    assert proc.returncode == 2
    out = json.loads(proc.stdout)
    assert [d["index"] for d in out] == [0, 2]
    assert "Dokument/document 1: Feld/field person.sex:" in proc.stderr


def test_invalid_json_and_missing_file() -> None:
    proc = run("check", "-", stdin='{"reference_date": ')
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "Feld/field input:" in proc.stderr and "JSON" in proc.stderr
    proc = run("check", "/nonexistent/person.json")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "input" in proc.stderr


def test_usage_error_is_non_zero() -> None:
    assert run().returncode == 2
    assert run("check").returncode == 2


def test_validate_rule_sets(tmp_path: Path) -> None:
    proc = run("validate")
    assert proc.returncode == 0
    assert proc.stdout.count("ok ") == 6
    (tmp_path / "bad.json").write_text(
        json.dumps(
            {
                "code": "x",
                "name_de": "x",
                "name_en": "x",
                "valid_from": "2024-01-01",
                "criteria": [{"code": "a", "kind": "nope"}],
            }
        ),
        encoding="utf-8",
    )
    proc = run("validate", str(tmp_path))
    assert proc.returncode == 2
    assert "unknown kind" in proc.stderr


def test_in_process_main_matches(tmp_path: Path) -> None:
    """The CLI entry point can also be called in-process (as the Django side might)."""
    import io

    from teilhabe.eligibility.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "-"], stdin=io.StringIO(json.dumps(DOC)), stdout=out, stderr=err)
    assert code == 0 and err.getvalue() == ""
    assert json.loads(out.getvalue())["summary"]["diaa.target_group"] == "eligible"


def test_package_imports_only_the_standard_library() -> None:
    """The engine is pure Python: importing it loads no Django and no third-party module."""
    code = (
        "import sys; before = set(sys.modules); import teilhabe.eligibility.cli; "
        "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(m for m in new if m not in sys.stdlib_module_names))"
    )
    proc = subprocess.run(  # noqa: S603  (fixed argv)
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert proc.stdout.strip() == "['teilhabe']"

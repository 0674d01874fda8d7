"""Command line: ``python -m teilhabe.eligibility check FILE.json`` (``-`` = stdin).

Input: one JSON document or a list of them, each
``{"reference_date": "YYYY-MM-DD", "person": {...}, "context": {...}?, "id": ...?}``.
Output (stdout, JSON): per document the target-group decision and one decision per
Förderbaustein, with every criterion result.  A document with bad input prints nothing on
stdout; its error (naming the field, German / English) goes to stderr and the exit code
is 2.  ``python -m teilhabe.eligibility validate [DIR]`` checks rule-set files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ._util import parse_iso_date
from .criteria import area_prefixes
from .engine import evaluate
from .facts import Facts, FactsError
from .reference import load_reference_data
from .rules import (
    PROGRAMME_RULE_SET_CODES,
    RuleSet,
    load_rule_set_definitions,
    programme_order,
    rule_set_from_dict,
    select_versions,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2
TARGET_GROUP = PROGRAMME_RULE_SET_CODES[0]
_DOCUMENT_KEYS = {"reference_date", "person", "context", "id"}


@dataclass(frozen=True)
class InputError(Exception):
    field: str
    message_de: str
    message_en: str

    def text(self, index: int | None) -> str:
        where = "" if index is None else f"Dokument/document {index}: "
        return f"{where}Feld/field {self.field}: {self.message_de} / {self.message_en}"


def _parse_document(doc: object) -> tuple[date, Facts, Mapping[str, Any], Any]:
    if not isinstance(doc, Mapping):
        raise InputError("document", "erwartet ein JSON-Objekt", "expected a JSON object")
    unknown = sorted(set(doc) - _DOCUMENT_KEYS)
    if unknown:
        raise InputError(unknown[0], "unbekanntes Feld", "unknown field")
    if doc.get("reference_date") is None:
        raise InputError("reference_date", "Angabe fehlt", "missing")
    try:
        on = parse_iso_date(doc["reference_date"])
    except ValueError:
        raise InputError(
            "reference_date",
            f"ungültiges Datum {doc['reference_date']!r}, erwartet JJJJ-MM-TT",
            f"invalid date {doc['reference_date']!r}, expected YYYY-MM-DD",
        ) from None
    person = doc.get("person")
    if person is None:
        raise InputError("person", "Angabe fehlt", "missing")
    if not isinstance(person, Mapping):
        raise InputError("person", "erwartet ein JSON-Objekt", "expected a JSON object")
    try:
        facts = Facts.from_dict(person)
    except FactsError as exc:
        raise InputError(f"person.{exc.field}", exc.message, exc.message_en) from None
    context = doc.get("context")
    if context is None:
        context = {}
    if not isinstance(context, Mapping):
        raise InputError("context", "erwartet ein JSON-Objekt", "expected a JSON object")
    if context.get("area_ags") is not None:
        try:
            area_prefixes(context["area_ags"], "area_ags")
        except ValueError:
            raise InputError(
                "context.area_ags",
                "erwartet eine Liste von AGS-Präfixen (1 bis 8 Ziffern)",
                "expected a list of AGS prefixes (1 to 8 digits)",
            ) from None
    return on, facts, context, doc.get("id")


def check_document(doc: object, rule_sets: Sequence[RuleSet]) -> dict[str, Any]:
    """Evaluate one input document; raise :class:`InputError` on bad input."""
    on, facts, context, doc_id = _parse_document(doc)
    selected = programme_order(select_versions(list(rule_sets), on))
    reference = load_reference_data()
    try:
        decisions = {
            code: evaluate(facts, rs, on, context, reference=reference)
            for code, rs in selected.items()
        }
    except ValueError as exc:  # e.g. a malformed context["area_ags"]
        raise InputError("context", str(exc), str(exc)) from None
    out: dict[str, Any] = {}
    if doc_id is not None:
        out["id"] = doc_id
    out["reference_date"] = on.isoformat()
    out["summary"] = {code: d.status.value for code, d in decisions.items()}
    target = decisions.pop(TARGET_GROUP, None)
    out["target_group"] = None if target is None else target.to_dict()
    out["modules"] = {code: d.to_dict() for code, d in decisions.items()}
    return out


def _load_rule_sets(directory: Path | None) -> list[RuleSet]:
    return [rule_set_from_dict(d) for d in load_rule_set_definitions(directory)]


def _read_input(name: str, stdin: TextIO) -> str:
    if name == "-":
        return stdin.read()
    return Path(name).read_text(encoding="utf-8")


def cmd_check(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    try:
        text = _read_input(args.file, stdin)
    except (OSError, UnicodeDecodeError) as exc:
        err = InputError("input", f"Datei nicht lesbar ({exc})", f"cannot read file ({exc})")
        print(err.text(None), file=stderr)
        return EXIT_BAD_INPUT
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        err = InputError(
            "input",
            f"ungültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno}: {exc.msg})",
            f"invalid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
        )
        print(err.text(None), file=stderr)
        return EXIT_BAD_INPUT
    rule_sets = _load_rule_sets(args.rules_dir)
    indent = None if args.compact else 2
    if not isinstance(data, list):
        try:
            result = check_document(data, rule_sets)
        except InputError as err:
            print(err.text(None), file=stderr)
            return EXIT_BAD_INPUT
        print(json.dumps(result, ensure_ascii=False, indent=indent), file=stdout)
        return EXIT_OK
    results = []
    failed = False
    for index, doc in enumerate(data):
        try:
            results.append({"index": index, **check_document(doc, rule_sets)})
        except InputError as err:
            print(err.text(index), file=stderr)
            failed = True
    print(json.dumps(results, ensure_ascii=False, indent=indent), file=stdout)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def cmd_validate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        load_reference_data()
        rule_sets = _load_rule_sets(args.directory)
        select_versions(rule_sets)
    except (ValueError, OSError) as exc:
        print(f"Fehler/error: {exc}", file=stderr)
        return EXIT_BAD_INPUT
    for rs in rule_sets:
        until = rs.valid_until.isoformat() if rs.valid_until else "…"
        print(
            f"ok {rs.code} {rs.valid_from.isoformat()}–{until}: {len(rs.criteria)} criteria",
            file=stdout,
        )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m teilhabe.eligibility",
        description="Förderfähigkeit prüfen / check eligibility (DiAA target group, F1–F5).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="evaluate person documents (JSON) against the rules")
    check.add_argument("file", help="JSON file with one document or a list; '-' = stdin")
    check.add_argument(
        "--rules-dir", type=Path, default=None, help="rule-set JSON files (default: shipped)"
    )
    check.add_argument("--compact", action="store_true", help="one-line JSON output")
    validate = sub.add_parser("validate", help="check rule-set files")
    validate.add_argument("directory", nargs="?", type=Path, default=None)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    if args.command == "validate":
        return cmd_validate(args, out, err)
    return cmd_check(args, stdin if stdin is not None else sys.stdin, out, err)

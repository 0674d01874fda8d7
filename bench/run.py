"""Teilhabe HTTP benchmark: ``make bench`` or ``.venv/bin/python bench/run.py --help``.

For SQLite and PostgreSQL: fresh database, migrate, seed, gunicorn with production
settings, then a closed-loop load per endpoint and concurrency, and the in-process timing
of matching (bench/matching_bench.py).  Rows with a target print PASS or FAIL.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import loadgen
from server import (
    ROOT,
    VAR,
    BenchError,
    CaseWork,
    Gunicorn,
    Login,
    create_casework,
    create_login,
    fresh_postgres,
    fresh_sqlite,
    manage,
    new_secret_key,
    postgres_reachable,
    production_env,
    run_python,
)

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/teilhabe_bench"
DATABASES = ("sqlite", "postgres")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

# The demo Kreis (Gütersloh, 150 offers at both scales) and one of its Gemeinden (Stadt
# Gütersloh): reference data, the same on every installation.
DEMO_KREIS_AGS = "05754"
DEMO_GEMEINDE_AGS = "05754008"
# The offer directory with filters, as a coordination user filters it.
OFFER_FILTERS = "category=sprache&status=aktiv&free_seats=on&q=deutsch"
# A realistic answer set of the public finder (teilhabe/finder/forms.py): age, papers,
# place of residence, two categories, German level.
FINDER_ANSWERS = (
    f"alter=22&status=duldung&ort={DEMO_GEMEINDE_AGS}&suche=sprache&suche=arbeit&deutsch=A2"
)


@dataclass(frozen=True)
class Goal:
    """A latency target from the issue: ``metric`` (p50/p95/p99) below ``limit_ms``."""

    metric: str
    limit_ms: float

    def label(self) -> str:
        return f"{self.metric} < {self.limit_ms:g}"

    def verdict(self, row: dict[str, Any]) -> str:
        value = row.get(f"{self.metric}_ms")
        if value is None or row.get("errors"):
            return "FAIL"
        return "PASS" if value < self.limit_ms else "FAIL"


# Targets of the offer-directory issue (measured at --scale nrw, 20 connections).
TARGETS: dict[str, Goal] = {
    "offers": Goal("p95", 150),
    "finder": Goal("p95", 150),
    "hsds": Goal("p95", 200),
    "matching": Goal("p95", 20),
    # Case work of a case worker (fallarbeit) in the demo Kreis.
    "caseload": Goal("p95", 150),
    "participants": Goal("p95", 150),
    "participant": Goal("p95", 150),
    "search": Goal("p95", 200),
    # Needs analysis (bench/needs.py, in-process, every run cold).
    "needs_matrix_kreis": Goal("p95", 300),
    "needs_matrix_nrw": Goal("p95", 2000),
    "needs_report_pdf": Goal("p95", 10000),
}


@dataclass
class Endpoint:
    name: str
    target: loadgen.Target
    check: Callable[[bytes], str] | None = None  # body -> problem or "" (preflight only)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", choices=["kreis", "nrw"], default="kreis", help="seed scale")
    p.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    p.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per run")
    p.add_argument(
        "--concurrency",
        default="1,20",
        help="comma-separated numbers of concurrent connections (default 1,20)",
    )
    p.add_argument(
        "--db",
        default=",".join(DATABASES),
        help="comma-separated databases to run: sqlite,postgres (default both)",
    )
    p.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL URL of the bench database (dropped and recreated!)",
    )
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    p.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument(
        "--client-procs",
        type=int,
        default=os.cpu_count() or 1,
        help="load generator processes (threads are spread over them)",
    )
    p.add_argument("--user", default="verwaltung", help="demo user for the dashboard")
    p.add_argument(
        "--offers-user",
        default="koordination",
        help="demo user for the offer directory (signed in to the demo Kreis)",
    )
    p.add_argument(
        "--casework-user",
        default="fallarbeit",
        help="demo case worker for the case-work pages (in the demo Kreis)",
    )
    p.add_argument(
        "--matching-repeat",
        type=int,
        default=200,
        help="warm runs of the in-process matching timing (0 = skip it)",
    )
    p.add_argument(
        "--needs-repeat",
        type=int,
        default=5,
        help="cold runs of the gap matrix and the report (bench/needs.py; 0 = skip it)",
    )
    p.add_argument(
        "--sessions",
        type=int,
        default=0,
        help="signed-in sessions per signed-in endpoint, used round-robin by the connections "
        "(default: one per connection of the highest concurrency; 1 = all share one)",
    )
    p.add_argument(
        "--only",
        default="",
        help="comma-separated endpoints to measure (e.g. caseload,participant; default all)",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        help="results file (default var/bench/results.json, with --scale nrw results-nrw.json)",
    )
    args = p.parse_args(argv)
    if args.output is None:
        args.output = VAR / ("results-nrw.json" if args.scale == "nrw" else "results.json")
    args.static_collected = False
    args.concurrency = [int(c) for c in str(args.concurrency).split(",") if c.strip()]
    args.db = [d.strip() for d in str(args.db).split(",") if d.strip()]
    unknown = set(args.db) - set(DATABASES)
    if unknown or not args.db:
        p.error(f"--db: choose from {', '.join(DATABASES)}")
    if any(c < 1 for c in args.concurrency) or not args.concurrency:
        p.error("--concurrency: positive integers")
    if args.duration <= 0 or args.warmup < 0:
        p.error("--duration must be > 0 and --warmup >= 0")
    return args


def log(message: str) -> None:
    print(message, flush=True)


def step(label: str, func: Any, *a: Any) -> Any:
    t0 = time.perf_counter()
    value = func(*a)
    log(f"   {label} ({time.perf_counter() - t0:.1f} s)")
    return value


def _offer_count(body: bytes) -> str:
    found = re.search(rb'id="offer-count">\s*(\d+)', body)
    if not found or int(found.group(1)) == 0:
        return "the filtered offer list is empty"
    return ""


def _finder_results(body: bytes) -> str:
    if b'class="fi-results"' not in body or b"fi-errors" in body:
        return "the finder shows no result (did the answers validate?)"
    return ""


def _hsds_page(body: bytes) -> str:
    try:
        page = json.loads(body)
    except ValueError:
        return "the answer is not JSON"
    if not page.get("size"):
        return f"the page holds no service: {str(page)[:200]}"
    return ""


def _count(element_id: str, what: str) -> Callable[[bytes], str]:
    """Check: the number at the start of the element ``element_id`` is above zero."""
    pattern = re.compile(rb'id="' + element_id.encode() + rb'">\s*(\d+)')

    def check(body: bytes) -> str:
        found = pattern.search(body)
        if not found or int(found.group(1)) == 0:
            return f"{what} is empty"
        return ""

    return check


def _shows(name: str, first: Callable[[bytes], str] | None = None) -> Callable[[bytes], str]:
    """Check: the page shows ``name`` (HTML-escaped), after the check ``first``."""
    needle = html.escape(name).encode()

    def check(body: bytes) -> str:
        problem = first(body) if first else ""
        if problem:
            return problem
        return "" if needle in body else f"the page does not show {name!r}"

    return check


def endpoints(login: Login, staff: Login, cases: CaseWork, port: int) -> list[Endpoint]:
    """The measured endpoints.  Signed-in ones use one session per connection."""
    tenant = staff.tenant_id  # the demo Kreis
    paths = cases.paths

    def target(path: str, sessions: Login | None = None) -> loadgen.Target:
        cookies = sessions.cookie_headers() if sessions else []
        return loadgen.Target("127.0.0.1", port, path, per_connection=cookies)

    return [
        Endpoint("login", target("/konto/anmelden/")),
        Endpoint("dashboard", target(f"/t/{login.tenant_id}/", login)),
        Endpoint("health", target("/health/")),
        Endpoint("offers", target(f"/t/{tenant}/angebote/?{OFFER_FILTERS}", staff), _offer_count),
        Endpoint("finder", target(f"/finden/{tenant}/de/?{FINDER_ANSWERS}"), _finder_results),
        Endpoint("hsds", target(f"/hsds/{tenant}/services?per_page=50"), _hsds_page),
        Endpoint(
            "caseload",
            target(paths["caseload"], cases.login),
            _count("case-count", "the caseload (open cases)"),
        ),
        Endpoint(
            "participants",
            target(paths["participants"], cases.login),
            _count("participant-count", "the participant list"),
        ),
        Endpoint(
            "participant",
            target(paths["participant"], cases.login),
            _shows(cases.last_name),
        ),
        Endpoint(
            "search",
            target(paths["search"], cases.login),
            _shows(cases.last_name, _count("participant-count", "the search result")),
        ),
    ]


def preflight(endpoint: Endpoint) -> None:
    """One request before the load: a clear message instead of thousands of errors."""
    target = endpoint.target
    status, detail, body = loadgen.fetch(target)
    if status != target.expect_status:
        raise BenchError(f"GET {target.path} answered {detail}, expected {target.expect_status}")
    problem = endpoint.check(body) if endpoint.check else ""
    if problem:
        raise BenchError(f"GET {target.path}: {problem}")


def matching_rows(db: str, env: dict[str, str], args: argparse.Namespace) -> list[dict[str, Any]]:
    """In-process timing of rank_offers (bench/matching_bench.py) as table rows."""
    cmd = ["bench/matching_bench.py", "--repeat", str(args.matching_repeat)]
    cmd += ["--tenant-ags", DEMO_KREIS_AGS]
    if args.scale == "nrw":
        cmd.append("--all-offers")
    out = run_python(cmd, env, "matching benchmark")
    rows = []
    for r in json.loads(out.strip().splitlines()[-1])["rows"]:
        cold = r["kind"] == "cold"
        rows.append(
            {
                "database": LABELS[db],
                "endpoint": "matching",
                "label": f"matching {r['offers']}"
                + (" all" if r["stress"] else "")
                + (" cold" if cold else ""),
                "cold": cold,
                "stress": r["stress"],
                "path": f"rank_offers: {r['tenant']}, {r['offers']} offers",
                "concurrency": None,
                "requests": r["runs"],
                "ok": r["runs"],
                "errors": 0,
                "rps": None,
                **{k: r[k] for k in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms")},
                "min_ms": r["min_ms"],
                "offers": r["offers"],
                "eligible": r["eligible"],
                "tenant": r["tenant"],
                "load_offers_ms": r["load_ms"],
                "per_offer_us": r["per_offer_us"],
                "loadavg_1m": round(os.getloadavg()[0], 2),
            }
        )
    return rows


def needs_rows(db: str, env: dict[str, str], args: argparse.Namespace) -> list[dict[str, Any]]:
    """In-process cold timing of the gap matrix (Kreis, NRW-scale tenant) and the report PDF
    (bench/needs.py) as table rows."""
    cmd = ["bench/needs.py", "--repeat", str(args.needs_repeat), "--tenant-ags", DEMO_KREIS_AGS]
    out = run_python(cmd, env, "needs benchmark", timeout=1800)
    return [
        {
            "database": LABELS[db],
            "concurrency": None,
            "requests": r["runs"],
            "ok": r["runs"],
            "errors": 0,
            "rps": None,
            "loadavg_1m": round(os.getloadavg()[0], 2),
            **r,
        }
        for r in json.loads(out.strip().splitlines()[-1])["rows"]
    ]


def bench_database(
    db: str, args: argparse.Namespace, timings: dict[str, float]
) -> tuple[list[dict[str, Any]], str]:
    """Prepare one database, serve it and load it; returns (rows, note).

    ``timings`` receives the seconds of each preparation step (migrate, seed, ...)."""

    def timed(key: str, label: str, func: Any, *a: Any) -> Any:
        t0 = time.perf_counter()
        value = func(*a)
        timings[key] = round(time.perf_counter() - t0, 1)
        log(f"   {label} ({timings[key]:.1f} s)")
        return value

    if db == "postgres":
        if not postgres_reachable(args.pg_url):
            return [], f"skipped: PostgreSQL at {args.pg_url} does not answer"
        database_url = step("database dropped and recreated", fresh_postgres, args.pg_url)
    else:
        database_url = step("fresh SQLite file", fresh_sqlite)

    env = production_env(database_url, new_secret_key())
    timed("migrate_s", "migrate", manage, ["migrate", "--noinput", "-v", "0"], env, "migrate")
    seed_args = ["seed", "--scale", args.scale, "--quiet"]
    # NRW-scale seeding (with case work for every tenant) can take many minutes.
    seed_timeout = 600 if args.scale == "kreis" else 7200
    timed("seed_s", f"seed --scale {args.scale}", manage, seed_args, env, "seed", seed_timeout)
    if not args.static_collected:  # the same files for every database: once per run
        collect = ["collectstatic", "--noinput", "-v", "0"]
        step("collectstatic", manage, collect, env, "collectstatic")
        args.static_collected = True
    sessions = args.sessions or max(args.concurrency)
    login = step(f"{sessions} session(s) for {args.user}", create_login, env, args.user, sessions)
    log(f"   dashboard: {login.tenant_name} ({login.role}) /t/{login.tenant_id}/")
    staff = step(
        f"{sessions} session(s) for {args.offers_user}",
        create_login,
        env,
        args.offers_user,
        sessions,
        DEMO_KREIS_AGS,
    )
    log(f"   offers: {staff.tenant_name} ({staff.role}) /t/{staff.tenant_id}/angebote/")
    cases = step(
        f"{sessions} session(s) for {args.casework_user}",
        create_casework,
        env,
        args.casework_user,
        sessions,
        DEMO_KREIS_AGS,
    )
    log(
        f"   case work: {cases.login.tenant_name} ({cases.login.role}) {cases.paths['participant']}"
        f" ({cases.last_name}), search {cases.paths['search']}"
    )

    rows: list[dict[str, Any]] = []
    server = Gunicorn(
        env,
        VAR / f"gunicorn-{db}.log",
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
    )
    with server:
        log(
            f"   gunicorn on 127.0.0.1:{server.port} "
            f"({args.workers} x {args.worker_class}"
            + (f", {args.threads} threads" if args.worker_class == "gthread" else "")
            + ")"
        )
        measured = endpoints(login, staff, cases, server.port)
        if args.only:
            wanted = {name.strip() for name in args.only.split(",")}
            unknown = wanted - {e.name for e in measured}
            if unknown:
                raise SystemExit(f"--only: unknown endpoints {', '.join(sorted(unknown))}")
            measured = [e for e in measured if e.name in wanted]
        for endpoint in measured:
            preflight(endpoint)
        for endpoint in measured:
            name, target = endpoint.name, endpoint.target
            for concurrency in args.concurrency:
                result = loadgen.run(
                    target, concurrency, args.duration, args.warmup, args.client_procs
                )
                row = {
                    "database": LABELS[db],
                    "endpoint": name,
                    "path": target.path,
                    "concurrency": concurrency,
                    **loadgen.summarise(result, args.duration),
                    "loadavg_1m": round(os.getloadavg()[0], 2),
                }
                judge(row)
                rows.append(row)
                log(
                    f"   {name:<10} c={concurrency:<3} {row['requests']:>6} req "
                    f"{row['rps']:>8} req/s  p50 {fmt(row['p50_ms'])} ms  "
                    f"p95 {fmt(row['p95_ms'])} ms  p99 {fmt(row['p99_ms'])} ms  "
                    f"errors {row['errors']}{verdict_note(row)}"
                )
                for sample in row["error_samples"]:
                    log(f"      error: {sample}")
        tail = server.log_tail(20)
        if any(r["errors"] for r in rows) and tail:
            log(f"   gunicorn log ({server.log_path}):\n{tail}")
    if args.matching_repeat > 0:
        t0 = time.perf_counter()
        for row in matching_rows(db, env, args):
            judge(row)
            rows.append(row)
            log(
                f"   {row['label']:<18} {row['path']}: p50 {fmt(row['p50_ms'])} ms  "
                f"p95 {fmt(row['p95_ms'])} ms{verdict_note(row)}"
            )
        log(f"   (matching timed in {time.perf_counter() - t0:.1f} s)")
    if args.needs_repeat > 0:
        t0 = time.perf_counter()
        for row in needs_rows(db, env, args):
            judge(row)
            rows.append(row)
            log(
                f"   {row['label']:<18} {row['path']}: p50 {fmt(row['p50_ms'])} ms  "
                f"p95 {fmt(row['p95_ms'])} ms{verdict_note(row)}"
            )
        log(f"   (needs analysis timed in {time.perf_counter() - t0:.1f} s)")
    return rows, ""


def judge(row: dict[str, Any]) -> None:
    """Add the target and PASS/FAIL to a row.  Cold matching runs and the all-offers
    upper bound are reported only: the target is for warm runs over one tenant."""
    reported_only = row.get("cold") or row.get("stress")
    goal = None if reported_only else TARGETS.get(row["endpoint"])
    row["target"] = goal.label() + " ms" if goal else None
    row["verdict"] = goal.verdict(row) if goal else None


def verdict_note(row: dict[str, Any]) -> str:
    return f"  [{row['target']}: {row['verdict']}]" if row.get("verdict") else ""


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = ["database", "endpoint", "conc", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    head += ["errors", "load", "target ms", "result"]
    lines = [
        [
            r["database"],
            r.get("label") or r["endpoint"],
            "-" if r["concurrency"] is None else str(r["concurrency"]),
            str(r["requests"]),
            fmt(r["rps"]),
            fmt(r["p50_ms"]),
            fmt(r["p95_ms"]),
            fmt(r["p99_ms"]),
            str(r["errors"]),
            fmt(r.get("loadavg_1m")),
            (r.get("target") or "-").removesuffix(" ms"),
            r.get("verdict") or "-",
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    left = {0, 1, 10, 11}

    def render(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [render(head), "  ".join("-" * w for w in widths)]
    out += [render(x) for x in lines]
    return "\n".join(out)


def git_commit() -> str | None:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
    except OSError:
        return None
    return proc.stdout.strip() or None


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through every finally: gunicorn stops


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    VAR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    if load_before > 0.5 * (os.cpu_count() or 1):
        log(
            f"Note: load average {load_before:.1f} on {os.cpu_count()} CPUs before the start; "
            "other processes compete with server and load generator, figures will be lower."
        )
    rows: list[dict[str, Any]] = []
    notes: dict[str, str] = {}
    failed: list[str] = []
    setup: dict[str, dict[str, float]] = {}
    for db in args.db:
        log(f"== {LABELS[db]} ==")
        try:
            db_rows, note = bench_database(db, args, setup.setdefault(LABELS[db], {}))
        except Exception as exc:  # report, go on with the next database, exit 1 at the end
            failed.append(db)
            message = str(exc) if isinstance(exc, BenchError) else f"{type(exc).__name__}: {exc}"
            notes[LABELS[db]] = f"failed: {message}"
            log(f"   FAILED: {message}")
            continue
        rows += db_rows
        if note:
            notes[LABELS[db]] = note
            log(f"   {note}")

    elapsed = time.perf_counter() - started
    errors = sum(r["errors"] for r in rows)
    log("")
    if rows:
        log(table(rows))
    legend = {r["label"]: r for r in rows if r.get("label") and not r.get("cold")}
    for label, r in legend.items():
        log(f"{label}: {r['path']}; warm: {r['requests']} runs, cold: first run (1 sample)")
    for label, note in notes.items():
        log(f"{label}: {note.splitlines()[0]}")
    seeded = [f"{label} {t['seed_s']:.1f} s" for label, t in setup.items() if "seed_s" in t]
    if seeded:
        log(f"seed --scale {args.scale}: {', '.join(seeded)}")
    judged = [r for r in rows if r.get("verdict")]
    if judged:
        passed = sum(r["verdict"] == "PASS" for r in judged)
        log(
            f"targets: {passed} of {len(judged)} rows PASS (the issue's condition: "
            f"--scale nrw, 20 connections; this run: --scale {args.scale})"
        )
    load_now = os.getloadavg()
    log(
        f"\n{args.duration:g} s measured after {args.warmup:g} s warm-up per row; "
        f"gunicorn {args.workers} x {args.worker_class}; "
        f"{os.cpu_count()} CPUs shared by server and load generator; "
        f"load average {load_before:.1f} before, {load_now[0]:.1f}/{load_now[1]:.1f}/"
        f"{load_now[2]:.1f} after (1/5/15 min); total {elapsed:.0f} s"
    )

    report = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "host": {
            "cpus": os.cpu_count(),
            "loadavg_1m_before": round(load_before, 2),
            "loadavg_1m_after": round(load_now[0], 2),
            "loadavg_5m_after": round(load_now[1], 2),
            "loadavg_15m_after": round(load_now[2], 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "scale": args.scale,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "concurrency": args.concurrency,
            "gunicorn_workers": args.workers,
            "gunicorn_worker_class": args.worker_class,
            "gunicorn_threads": args.threads if args.worker_class == "gthread" else 1,
            "client_processes": args.client_procs,
            "user": args.user,
            "offers_user": args.offers_user,
            "casework_user": args.casework_user,
            "sessions": args.sessions or max(args.concurrency),
            "matching_repeat": args.matching_repeat,
        },
        "targets": {name: goal.label() + " ms" for name, goal in TARGETS.items()},
        "setup_s": setup,
        "notes": notes,
        "results": rows,
        "errors": errors,
        "elapsed_s": round(elapsed, 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    try:
        shown = args.output.relative_to(ROOT)
    except ValueError:
        shown = args.output
    log(f"Results: {shown}")

    if errors:
        log(f"FAILED: {errors} request(s) did not answer 200")
        return 1
    if failed:
        log(f"FAILED: {', '.join(LABELS[d] for d in failed)}")
        return 1
    if not rows:
        log("FAILED: no database was benchmarked")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Teilhabe HTTP benchmark: ``make bench`` or ``.venv/bin/python bench/run.py --help``.

For SQLite and PostgreSQL: fresh database, migrate, seed, gunicorn with production
settings, then a closed-loop load per endpoint and concurrency.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import loadgen
from server import (
    ROOT,
    VAR,
    BenchError,
    Gunicorn,
    Login,
    create_login,
    fresh_postgres,
    fresh_sqlite,
    manage,
    new_secret_key,
    postgres_reachable,
    production_env,
)

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/teilhabe_bench"
DATABASES = ("sqlite", "postgres")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


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
        "--sessions",
        type=int,
        default=0,
        help="signed-in sessions for the dashboard, used round-robin by the connections "
        "(default: one per connection of the highest concurrency; 1 = all share one)",
    )
    p.add_argument("--output", type=Path, default=VAR / "results.json")
    args = p.parse_args(argv)
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


def endpoints(login: Login, port: int) -> list[tuple[str, loadgen.Target]]:
    """The measured endpoints; the dashboard is signed in, one session per connection."""
    return [
        ("login", loadgen.Target("127.0.0.1", port, "/konto/anmelden/")),
        (
            "dashboard",
            loadgen.Target(
                "127.0.0.1", port, f"/t/{login.tenant_id}/", per_connection=login.cookie_headers()
            ),
        ),
        ("health", loadgen.Target("127.0.0.1", port, "/health/")),
    ]


def preflight(target: loadgen.Target) -> None:
    """One request before the load: a clear message instead of thousands of errors."""
    status, detail = loadgen.fetch_once(target)
    path = target.path
    if status != target.expect_status:
        raise BenchError(f"GET {path} answered {detail}, expected {target.expect_status}")


def bench_database(db: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], str]:
    """Prepare one database, serve it and load it; returns (rows, note)."""
    if db == "postgres":
        if not postgres_reachable(args.pg_url):
            return [], f"skipped: PostgreSQL at {args.pg_url} does not answer"
        database_url = step("database dropped and recreated", fresh_postgres, args.pg_url)
    else:
        database_url = step("fresh SQLite file", fresh_sqlite)

    env = production_env(database_url, new_secret_key())
    step("migrate", manage, ["migrate", "--noinput", "-v", "0"], env, "migrate")
    seed_args = ["seed", "--scale", args.scale, "--quiet"]
    step(f"seed --scale {args.scale}", manage, seed_args, env, "seed")
    step("collectstatic", manage, ["collectstatic", "--noinput", "-v", "0"], env, "collectstatic")
    sessions = args.sessions or max(args.concurrency)
    login = step(f"{sessions} session(s) for {args.user}", create_login, env, args.user, sessions)
    log(f"   dashboard: {login.tenant_name} ({login.role}) /t/{login.tenant_id}/")

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
        targets = endpoints(login, server.port)
        for _name, target in targets:
            preflight(target)
        for name, target in targets:
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
                rows.append(row)
                log(
                    f"   {name:<10} c={concurrency:<3} {row['requests']:>6} req "
                    f"{row['rps']:>8} req/s  p50 {fmt(row['p50_ms'])} ms  "
                    f"p99 {fmt(row['p99_ms'])} ms  errors {row['errors']}"
                )
                for sample in row["error_samples"]:
                    log(f"      error: {sample}")
        tail = server.log_tail(20)
        if any(r["errors"] for r in rows) and tail:
            log(f"   gunicorn log ({server.log_path}):\n{tail}")
    return rows, ""


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = ["database", "endpoint", "conc", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    head.append("errors")
    lines = [
        [
            r["database"],
            r["endpoint"],
            str(r["concurrency"]),
            str(r["requests"]),
            fmt(r["rps"]),
            fmt(r["p50_ms"]),
            fmt(r["p95_ms"]),
            fmt(r["p99_ms"]),
            str(r["errors"]),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    left = {0, 1}

    def render(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

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
    for db in args.db:
        log(f"== {LABELS[db]} ==")
        try:
            db_rows, note = bench_database(db, args)
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
    for label, note in notes.items():
        log(f"{label}: {note.splitlines()[0]}")
    log(
        f"\n{args.duration:g} s measured after {args.warmup:g} s warm-up per row; "
        f"gunicorn {args.workers} x {args.worker_class}; "
        f"{os.cpu_count()} CPUs shared by server and load generator; total {elapsed:.0f} s"
    )

    report = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "host": {
            "cpus": os.cpu_count(),
            "loadavg_1m_before": round(load_before, 2),
            "loadavg_1m_after": round(os.getloadavg()[0], 2),
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
            "sessions": args.sessions or max(args.concurrency),
        },
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

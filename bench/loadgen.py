"""A small closed-loop HTTP load generator: processes x threads, http.client keep-alive.

Every client connection sends a request, reads the whole answer and sends the next one.
The concurrency is split over up to ``os.cpu_count()`` forked processes so that the GIL
of a single client process does not become the bottleneck or inflate the latencies.

Phases share wall-clock boundaries (``time.time()``) across processes:
``begin .. begin+warmup`` warms up (nothing recorded), ``.. +duration`` is measured.
A request counts if it started inside the measured window; latencies use ``perf_counter``.
"""

from __future__ import annotations

import http.client
import math
import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# Exceptions after which a GET on a *reused* keep-alive connection is retried once on a
# fresh connection (the server may close an idle connection just as we reuse it).
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
MAX_ERROR_SAMPLES = 5


@dataclass
class Target:
    host: str
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect_status: int = 200
    # Connection i additionally sends per_connection[i % len]: e.g. its own session cookie.
    per_connection: list[dict[str, str]] = field(default_factory=list)

    def headers_for(self, index: int) -> dict[str, str]:
        extra = self.per_connection[index % len(self.per_connection)] if self.per_connection else {}
        return {**self.headers, **extra}


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, measured window only
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    retries: int = 0
    warmup_requests: int = 0

    def merge(self, other: Result) -> None:
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        for key, n in other.statuses.items():
            self.statuses[key] = self.statuses.get(key, 0) + n
        room = MAX_ERROR_SAMPLES - len(self.error_samples)
        self.error_samples.extend(other.error_samples[: max(room, 0)])
        self.retries += other.retries
        self.warmup_requests += other.warmup_requests


def fetch_once(target: Target) -> tuple[int | None, str]:
    """One request on a fresh connection: (status or None, short description)."""
    status, detail, _body = fetch(target)
    return status, detail


def fetch(target: Target) -> tuple[int | None, str, bytes]:
    """One request on a fresh connection: (status or None, short description, body)."""
    conn = http.client.HTTPConnection(target.host, target.port, timeout=30)
    try:
        headers = {"User-Agent": "teilhabe-bench", **target.headers_for(0)}
        conn.request("GET", target.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        location = resp.getheader("Location")
        detail = f"HTTP {resp.status}" + (f" -> {location}" if location else "")
        return resp.status, f"{detail} ({len(body)} bytes)", body
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}", b""
    finally:
        conn.close()


def _client_loop(
    target: Target, index: int, measure_from: float, measure_to: float, out: Result
) -> None:
    """Connection ``index``: request after request until ``measure_to`` (wall clock)."""
    headers = {
        "Connection": "keep-alive",
        "User-Agent": "teilhabe-bench",
        **target.headers_for(index),
    }
    conn = http.client.HTTPConnection(target.host, target.port, timeout=30)
    used = False  # did the current socket already carry a request?
    local: list[float] = []
    try:
        while True:
            wall = time.time()
            if wall >= measure_to:
                break
            measured = wall >= measure_from
            t0 = time.perf_counter()
            status: int | None = None
            detail = ""
            for attempt in (1, 2):
                try:
                    if conn.sock is None:
                        used = False
                    conn.request("GET", target.path, headers=headers)
                    resp = conn.getresponse()
                    resp.read()
                    status = resp.status
                    if status != target.expect_status:
                        location = resp.getheader("Location")
                        detail = f"HTTP {status}" + (f" -> {location}" if location else "")
                    if resp.will_close:
                        conn.close()
                        used = False
                    else:
                        used = True
                    break
                except _STALE as exc:
                    conn.close()
                    if used and attempt == 1:
                        used = False
                        if measured:
                            out.retries += 1
                        continue
                    detail = f"{type(exc).__name__}: {exc}"
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    used = False
                    detail = f"{type(exc).__name__}: {exc}"
                    break
            elapsed = time.perf_counter() - t0
            if not measured:
                out.warmup_requests += 1
                continue
            key = str(status) if status is not None else "exception"
            out.statuses[key] = out.statuses.get(key, 0) + 1
            if status == target.expect_status:
                local.append(elapsed)
            else:
                out.errors += 1
                if len(out.error_samples) < MAX_ERROR_SAMPLES:
                    out.error_samples.append(detail)
                if status is None:
                    time.sleep(0.01)  # do not spin on a dead server
    finally:
        conn.close()
        out.latencies.extend(local)


def _run_threads(
    target: Target, first: int, threads: int, measure_from: float, measure_to: float
) -> Result:
    results = [Result() for _ in range(threads)]
    workers = [
        threading.Thread(
            target=_client_loop,
            args=(target, first + i, measure_from, measure_to, r),
            daemon=True,
        )
        for i, r in enumerate(results)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    total = Result()
    for r in results:
        total.merge(r)
    return total


def _process_main(
    target: Target,
    first: int,
    threads: int,
    begin: float,
    measure_from: float,
    measure_to: float,
    conn: Any,
) -> None:
    try:
        delay = begin - time.time()
        if delay > 0:
            time.sleep(delay)
        result = _run_threads(target, first, threads, measure_from, measure_to)
        conn.send(("ok", result))
    except BaseException as exc:  # report anything to the parent
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


def split(concurrency: int, processes: int) -> list[int]:
    """Spread ``concurrency`` connections as evenly as possible over processes."""
    processes = max(1, min(processes, concurrency))
    base, rest = divmod(concurrency, processes)
    return [base + (1 if i < rest else 0) for i in range(processes)]


def run(
    target: Target,
    concurrency: int,
    duration: float,
    warmup: float,
    processes: int | None = None,
) -> Result:
    """Closed-loop load with ``concurrency`` connections; returns the merged result."""
    if processes is None:
        processes = os.cpu_count() or 1
    ctx = mp.get_context("fork")
    shares = split(concurrency, processes)
    begin = time.time() + 0.2  # let every process start before the clock runs
    measure_from = begin + warmup
    measure_to = measure_from + duration
    procs = []
    pipes = []
    first = 0
    for threads in shares:
        parent_end, child_end = ctx.Pipe(duplex=False)
        p = ctx.Process(
            target=_process_main,
            args=(target, first, threads, begin, measure_from, measure_to, child_end),
            daemon=True,
        )
        p.start()
        child_end.close()
        procs.append(p)
        pipes.append(parent_end)
        first += threads
    total = Result()
    failures: list[str] = []
    finished = False
    try:
        for pipe in pipes:
            # Generous limit: duration + warmup + one request timeout.
            if not pipe.poll(warmup + duration + 60):
                failures.append("load process did not report")
                continue
            try:
                kind, payload = pipe.recv()
            except EOFError:
                failures.append("load process died")
                continue
            if kind == "ok":
                total.merge(payload)
            else:
                failures.append(payload)
        finished = True
    finally:
        for p in procs:
            if not finished:  # interrupted (Ctrl+C, SIGTERM): do not wait for the window
                p.kill()
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()
    if failures:
        raise RuntimeError("load generator failed: " + "; ".join(failures))
    return total


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(result: Result, duration: float) -> dict[str, Any]:
    lat = sorted(result.latencies)
    ok = len(lat)
    requests = ok + result.errors

    def ms(v: float) -> float | None:
        return None if math.isnan(v) else round(v * 1000, 2)

    return {
        "requests": requests,
        "ok": ok,
        "errors": result.errors,
        "rps": round(requests / duration, 1) if duration else None,
        "p50_ms": ms(percentile(lat, 50)),
        "p95_ms": ms(percentile(lat, 95)),
        "p99_ms": ms(percentile(lat, 99)),
        "mean_ms": ms(sum(lat) / ok) if ok else None,
        "max_ms": ms(lat[-1]) if lat else None,
        "statuses": dict(sorted(result.statuses.items())),
        "error_samples": result.error_samples,
        "keepalive_retries": result.retries,
        "warmup_requests": result.warmup_requests,
    }

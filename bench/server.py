"""Database preparation and a gunicorn process with production-like settings."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable


class BenchError(RuntimeError):
    pass


# --- environment ---------------------------------------------------------------------------


def production_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The process environment: production defaults, plain HTTP on loopback."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEILHABE_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "TEILHABE_SECRET_KEY": secret_key,
            "TEILHABE_SSL_REDIRECT": "0",
            "TEILHABE_SECURE_COOKIES": "0",
            "TEILHABE_ALLOWED_HOSTS": "127.0.0.1",
            "TEILHABE_STATIC_ROOT": str(VAR / "static"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def new_secret_key() -> str:
    return secrets.token_urlsafe(60)


def run_python(args: list[str], env: dict[str, str], what: str, timeout: float = 600) -> str:
    """Run ``python <args>`` in the project; raise with the output if it fails."""
    proc = subprocess.run(
        [PYTHON, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(
            f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return proc.stdout


def manage(args: list[str], env: dict[str, str], what: str, timeout: float = 600) -> str:
    return run_python(["manage.py", *args], env, what, timeout)


# --- databases ------------------------------------------------------------------------------


def fresh_sqlite() -> str:
    path = VAR / "sqlite" / "bench.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_reachable(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout):
            return True
    except OSError:
        return False


def fresh_postgres(url: str) -> str:
    """Drop and recreate the database named in ``url``; return ``url``."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise BenchError(f"no database name in {url}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


# --- session --------------------------------------------------------------------------------


@dataclass
class Login:
    session_keys: list[str]
    cookie_name: str
    tenant_id: str
    tenant_name: str
    role: str

    def cookie_headers(self) -> list[dict[str, str]]:
        """One Cookie header per session: every client connection is its own browser."""
        return [{"Cookie": f"{self.cookie_name}={key}"} for key in self.session_keys]


def create_login(env: dict[str, str], username: str, count: int, tenant_ags: str = "") -> Login:
    """``count`` signed-in sessions of ``username`` (in the tenant with ``tenant_ags``)."""
    args = ["bench/session.py", username, str(count), *([tenant_ags] if tenant_ags else [])]
    out = run_python(args, env, "creating the sessions")
    data = json.loads(out.strip().splitlines()[-1])
    return Login(**data)


@dataclass
class CaseWork:
    """Sessions of a case worker and the case-work paths (bench/casework.py)."""

    login: Login
    participant_id: str
    last_name: str
    paths: dict[str, str]


def create_casework(env: dict[str, str], username: str, count: int, tenant_ags: str) -> CaseWork:
    """``count`` sessions of the case worker ``username`` and one of their participants."""
    out = run_python(["bench/casework.py", username, str(count), tenant_ags], env, "case work")
    data = json.loads(out.strip().splitlines()[-1])
    extra = {k: data.pop(k) for k in ("participant_id", "last_name", "paths")}
    return CaseWork(login=Login(**data), **extra)


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    """``with Gunicorn(...) as g:`` starts the server and always stops it again."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        workers: int = 4,
        worker_class: str = "sync",
        threads: int = 1,
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: object = None

    def command(self) -> list[str]:
        cmd = [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log_path),
            "--no-control-socket",
        ]
        if self.worker_class == "gthread":
            cmd += ["--threads", str(self.threads)]
        return cmd  # no --access-logfile: access logging stays off

    def start(self, ready_timeout: float = 30.0) -> None:
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text("")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: we can stop master and workers
        )
        deadline = time.monotonic() + ready_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"gunicorn exited with {self.proc.returncode} during start:\n{self.log_tail()}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health/")
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    self._wait_for_workers(deadline)
                    return
                last = f"HTTP {resp.status}"
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /health/ ({last}):\n{self.log_tail()}")

    def _wait_for_workers(self, deadline: float) -> None:
        """Best effort: wait until every worker process has been forked."""
        if self.proc is None:
            return
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        while time.monotonic() < deadline:
            try:
                if len(children.read_text().split()) >= self.workers:
                    return
            except OSError:
                return
            time.sleep(0.1)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        # Leftovers (a hung master or worker) share the process group created for them.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> Gunicorn:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""Database settings that matter for speed: prepared statements on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _options(**env: str) -> dict[str, object]:
    script = (
        "import json; from config import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    environment = {**os.environ, "TEILHABE_SECRET_KEY": "x" * 60, **env}
    out = subprocess.run(  # noqa: S603  (fixed argv: this interpreter and a constant script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_postgres_binds_on_the_server_and_prepares_unless_turned_off() -> None:
    url = "postgres://postgres@127.0.0.1:5432/teilhabe"
    assert _options(DATABASE_URL=url) == {"server_side_binding": True, "prepare_threshold": 2}
    off = _options(DATABASE_URL=url, TEILHABE_PG_PREPARE="0")
    assert "server_side_binding" not in off and "prepare_threshold" not in off
    sqlite = _options(DATABASE_URL="sqlite:////tmp/teilhabe-settings-check.sqlite3")
    assert "server_side_binding" not in sqlite


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_repeated_query_is_prepared_on_the_connection() -> None:
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT count(*) FROM accounts_tenant WHERE id > %s", [0])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM accounts_tenant WHERE id >%"],
        )
        assert cursor.fetchone()[0] == 1

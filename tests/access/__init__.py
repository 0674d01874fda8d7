"""Access-matrix rows contributed by areas.

Each module here defines ``ROWS: dict[str, dict[str, int]]`` (URL name -> persona ->
expected GET status) and ``url(name, world) -> str | None`` building the URL (with the
objects it needs) for the names it owns.  ``tests/test_access_matrix.py`` merges them.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]


def extra_rows() -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for module in _modules():
        rows.update(module.ROWS)
    return rows


def extra_url(name: str, world: Any) -> str | None:
    for module in _modules():
        if name in module.ROWS:
            return str(module.url(name, world))
    return None

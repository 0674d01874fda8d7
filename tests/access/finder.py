"""The public offer finder (teilhabe/finder): the same for everybody, signed in or not."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ._helpers import row

ROWS: dict[str, dict[str, int]] = {
    "finder:start": row(302),  # on to the German page
    "finder:finder": row(200),
}


def url(name: str, world: Any) -> str | None:
    kwargs: dict[str, object] = {"tenant": world.tenant.public_id}
    if name == "finder:finder":
        kwargs["lang"] = "de"
    return reverse(name, kwargs=kwargs)

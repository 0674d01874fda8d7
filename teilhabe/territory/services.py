"""Loading the reference territories idempotently."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Territory, TerritoryKind

DATA_FILE = Path(__file__).resolve().parent / "data" / "nrw_gebiete.csv"

LAND_AGS = "05"
REGIERUNGSBEZIRKE = {
    "Düsseldorf": "051",
    "Köln": "053",
    "Münster": "055",
    "Detmold": "057",
    "Arnsberg": "059",
}
# Aachen keeps the rights of a kreisfreie Stadt inside the StädteRegion (§ 4 Aachen-Gesetz).
SPECIAL_STATUS_AGS = {"05334002"}


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def territories_load(*, path: Path = DATA_FILE) -> LoadResult:
    """Create or update every territory from the CSV; running it twice changes nothing."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    wanted: list[tuple[str, str, str, str | None, bool]] = [
        (LAND_AGS, "Nordrhein-Westfalen", TerritoryKind.LAND, None, False)
    ]
    for name, ags in REGIERUNGSBEZIRKE.items():
        wanted.append(
            (ags, f"Regierungsbezirk {name}", TerritoryKind.REGIERUNGSBEZIRK, LAND_AGS, False)
        )
    valid_kinds = {choice.value for choice in TerritoryKind}
    for row in rows:
        kind = row["type"]
        if kind not in valid_kinds:
            raise ValueError(f"unknown territory type {kind!r} for AGS {row['ags']}")
        if kind == TerritoryKind.GEMEINDE:
            parent = row["parent_ags"]
        else:
            parent = REGIERUNGSBEZIRKE[row["regierungsbezirk"]]
        wanted.append((row["ags"], row["name"], kind, parent, row["ags"] in SPECIAL_STATUS_AGS))

    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {t.ags: t for t in Territory.objects.all()}
        by_ags: dict[str, Territory] = dict(existing)
        for ags, name, kind, parent_ags, special in wanted:
            parent = by_ags[parent_ags] if parent_ags else None
            current = existing.get(ags)
            if current is None:
                current = Territory.objects.create(
                    ags=ags, name=name, kind=kind, parent=parent, has_kreisfreie_rights=special
                )
                by_ags[ags] = current
                created += 1
                continue
            if (
                current.name,
                current.kind,
                current.parent_id,
                current.has_kreisfreie_rights,
            ) != (name, kind, parent.pk if parent else None, special):
                current.name, current.kind, current.parent = name, kind, parent
                current.has_kreisfreie_rights = special
                current.save()
                updated += 1
            else:
                unchanged += 1
    return LoadResult(created=created, updated=updated, unchanged=unchanged)

"""A per-process snapshot of each tenant's open offers, for the read-heavy matching pages.

The public finder, the "passende Angebote" page and the referral suggestions evaluate every
open offer of the tenant on every request.  Loading 150 offers with their provider, category,
rule set, locations and weekly times costs about a thousand model instances per request; the
directory changes a few times a day.  So each worker process keeps the loaded offers of a
tenant together with a **version token** and checks the token with one cheap aggregate query
per request.  Every write to the directory changes the token:

- offers: count, open count, newest ``updated_at``, sum of ``version`` (seat counters are
  changed with ``version + 1`` where ``update()`` bypasses ``auto_now``; writers outside the
  services must do the same);
- locations and weekly times: count and highest id (they are replaced, never edited);
- providers, categories, rule sets, funding sources and the tenant itself: count and
  newest ``updated_at``.

The snapshot holds no personal data.  Its objects are shared between requests: callers must
treat them as read-only.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection

from teilhabe.accounts.models import Tenant

from .models import (
    Category,
    FundingSource,
    Offer,
    OfferLocation,
    OfferSchedule,
    Provider,
    RuleSetRecord,
)

OPEN_STATUSES = ("aktiv", "geplant")


@dataclass(frozen=True)
class Snapshot:
    token: tuple[Any, ...]
    offers: tuple[Offer, ...]

    @property
    def key(self) -> str:
        return hashlib.sha256(repr(self.token).encode()).hexdigest()[:24]


_LOCK = threading.Lock()
_SNAPSHOTS: dict[Any, Snapshot] = {}
_SQL: str | None = None


def _token_sql() -> str:
    """The token query; table names come from the models, the tenant is a parameter."""
    offer = Offer._meta.db_table
    location = OfferLocation._meta.db_table
    schedule = OfferSchedule._meta.db_table
    provider = Provider._meta.db_table
    category = Category._meta.db_table
    rules = RuleSetRecord._meta.db_table
    funding = FundingSource._meta.db_table
    tenant = Tenant._meta.db_table
    own = "WHERE tenant_id = %(t)s"
    own_or_programme = "WHERE tenant_id = %(t)s OR tenant_id IS NULL"
    parts = [
        ("COUNT(*)", offer, own),
        ("SUM(version)", offer, own),
        ("MAX(updated_at)", offer, own),
        ("COUNT(*)", offer, own + " AND status IN ('aktiv', 'geplant')"),
        ("COUNT(*)", location, own),
        ("MAX(id)", location, own),
        ("COUNT(*)", schedule, own),
        ("MAX(id)", schedule, own),
        ("COUNT(*)", provider, own),
        ("MAX(updated_at)", provider, own),
        ("COUNT(*)", category, ""),
        ("MAX(updated_at)", category, ""),
        ("COUNT(*)", rules, own_or_programme),
        ("MAX(updated_at)", rules, own_or_programme),
        ("COUNT(*)", funding, ""),
        ("MAX(updated_at)", funding, ""),
        ("MAX(updated_at)", tenant, "WHERE id = %(t)s"),
    ]
    # no user input below: aggregates and table names are the constants above
    sub = "(SELECT {} FROM {} {})"
    return "SELECT " + ", ".join(sub.format(agg, table, where) for agg, table, where in parts)


def directory_token(tenant: Tenant) -> tuple[Any, ...]:
    """What changes whenever anything the matching reads changes: one query of plain
    aggregates (written as SQL: building it with the ORM costs more than running it)."""
    global _SQL
    if _SQL is None:
        _SQL = _token_sql()
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"t": tenant.pk})
        row = cursor.fetchone()
    return (tenant.public_id, *(str(v) for v in row))


def _load(tenant: Tenant) -> tuple[Offer, ...]:
    from .selectors import offers_for_matching

    return tuple(offers_for_matching(tenant=tenant))


def snapshot_for(tenant: Tenant) -> Snapshot:
    """The tenant's open offers (active or planned) with everything matching reads, and the
    token they were read at (``Snapshot.key`` names that state, e.g. for fragment caches)."""
    token = directory_token(tenant)
    key = tenant.public_id
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is not None and snapshot.token == token:
        return snapshot
    snapshot = Snapshot(token, _load(tenant))
    # Read the token again: a write between the two reads must not be cached as current.
    if directory_token(tenant) == token:
        with _LOCK:
            _SNAPSHOTS[key] = snapshot
    return snapshot


def open_offers(tenant: Tenant) -> tuple[Offer, ...]:
    return snapshot_for(tenant).offers


def clear() -> None:
    """Forget every snapshot (tests, management commands that rewrite the directory)."""
    with _LOCK:
        _SNAPSHOTS.clear()

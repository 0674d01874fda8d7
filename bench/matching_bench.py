"""Matching benchmark: one person against all offers of a tenant, in-process.

Run with the benchmark's environment (the same DATABASE_URL as the server)::

    python bench/matching_bench.py [--repeat 200] [--tenant-ags 05754] [--all-offers]

For the demo Kreis (``--tenant-ags``) and the largest other tenant: loads the offers once
with ``teilhabe.offers.selectors.offers_for_matching`` (as the "passende Angebote" page and
the public finder do), then times the pure function ``teilhabe.offers.matching.rank_offers``
for one person: a cold run with an empty rule-set cache (``matching._CACHE``, what a fresh
gunicorn worker or the first request after an offer changed pays) and ``--repeat`` warm
runs (median, p95, p99).  ``--all-offers`` adds every open offer of the installation as one
list (NRW scale: about 2,400), an upper bound for a much larger tenant.
Prints one JSON line: ``{"rows": [...]}``.  The HTTP pages are measured by bench/run.py.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CATEGORIES = ["sprache", "arbeit"]  # what the person is looking for


def person(gemeinde_ags: str) -> dict[str, Any]:
    """A 22-year-old with a Duldung in the tenant's area: the DiAA target group."""
    return {
        "birth_date": "2004-05-10",
        "sex": "female",
        "nationality": "AF",
        "residence_status": {"kind": "duldung", "paragraph": "60a"},
        "entry_date": "2021-02-01",
        "first_asylum_request": "2021-02-03",
        "benefits": "asylblg",
        "work_permission": "needs_approval",
        "integration_course_access": False,
        "lives_in_state_facility": False,
        "security_exclusion": False,
        "municipality_ags": gemeinde_ags.ljust(8, "0"),
        "german_level": "A2",
    }


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank, as in loadgen.percentile."""
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def measure(
    label: str,
    offers: list[Any],
    tenant: Any,
    repeat: int,
    load_s: float,
    *,
    stress: bool = False,
) -> list[dict[str, Any]]:
    from django.utils import timezone

    from teilhabe.eligibility import Facts
    from teilhabe.offers import matching
    from teilhabe.territory.models import gemeinden_in

    gemeinden = list(gemeinden_in(tenant.territory))
    area = [g.ags for g in gemeinden]
    home = gemeinden[len(gemeinden) // 2].ags if gemeinden else tenant.territory.ags
    facts = Facts.from_dict(person(home))
    on = timezone.localdate()

    def run() -> list[Any]:
        return matching.rank_offers(
            offers, facts, on=on, categories=CATEGORIES, gemeinde_ags=home, area_ags=area
        )

    matching._CACHE.clear()
    t0 = time.perf_counter()
    ranked = run()
    cold = time.perf_counter() - t0
    for _ in range(5):  # warm-up, not recorded
        run()
    timings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        timings.append(time.perf_counter() - t0)
    timings.sort()
    eligible = sum(1 for m in ranked if m.eligible)
    info = {
        "tenant": label,
        "stress": stress,
        "offers": len(offers),
        "eligible": eligible,
        "load_ms": ms(load_s),
        "per_offer_us": round(statistics.median(timings) / max(len(offers), 1) * 1e6, 1),
    }
    warm = {
        **info,
        "kind": "warm",
        "runs": repeat,
        "p50_ms": ms(statistics.median(timings)),
        "p95_ms": ms(percentile(timings, 95)),
        "p99_ms": ms(percentile(timings, 99)),
        "mean_ms": ms(statistics.fmean(timings)),
        "min_ms": ms(timings[0]),
        "max_ms": ms(timings[-1]),
    }
    cold_row = {
        **info,
        "kind": "cold",
        "runs": 1,
        "p50_ms": ms(cold),
        "p95_ms": ms(cold),
        "p99_ms": ms(cold),
        "mean_ms": ms(cold),
        "min_ms": ms(cold),
        "max_ms": ms(cold),
    }
    return [warm, cold_row]


def load(queryset: Any) -> tuple[list[Any], float]:
    t0 = time.perf_counter()
    offers = list(queryset)
    return offers, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--tenant-ags", default="05754", help="the demo Kreis (Gütersloh)")
    parser.add_argument("--all-offers", action="store_true", help="also every open offer")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Count

    from teilhabe.accounts.models import Tenant
    from teilhabe.offers.models import Offer
    from teilhabe.offers.selectors import offers_for_matching

    counts = dict(
        Offer.objects.open_for_people()
        .values_list("tenant_id")
        .annotate(n=Count("id"))
        .values_list("tenant_id", "n")
    )
    demo = Tenant.objects.select_related("territory").get(territory__ags=args.tenant_ags)
    others = sorted((-n, pk) for pk, n in counts.items() if pk != demo.pk)
    largest = Tenant.objects.select_related("territory").get(pk=others[0][1]) if others else None
    biggest = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0] if counts else demo.pk

    rows: list[dict[str, Any]] = []
    for tenant, role in ((demo, "demo Kreis"), (largest, "largest other tenant")):
        if tenant is None:
            continue
        offers, load_s = load(offers_for_matching(tenant=tenant))
        role += ", largest tenant" if tenant.pk == biggest else ""
        rows += measure(f"{tenant.name} ({role})", offers, tenant, args.repeat, load_s)
        gc.collect()
    if args.all_offers:
        t0 = time.perf_counter()
        offers = [
            o
            for t in Tenant.objects.filter(pk__in=counts).order_by("pk")
            for o in offers_for_matching(tenant=t)
        ]
        load_s = time.perf_counter() - t0
        repeat = max(args.repeat // 10, 20)
        label = "all tenants' offers as one list (upper bound, no target)"
        rows += measure(label, offers, demo, repeat, load_s, stress=True)
    print(json.dumps({"rows": rows}, ensure_ascii=False))


if __name__ == "__main__":
    main()

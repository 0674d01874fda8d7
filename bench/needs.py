"""Needs-analysis benchmark, in-process: the gap matrix and the report.

Run with the benchmark's environment (the same DATABASE_URL as the server)::

    python bench/needs.py [--repeat 5] [--tenant-ags 05754]

Measures, each run **cold** (rule-set caches emptied, a new database connection):

* ``needs matrix kreis`` – the gap matrix (status groups) of the demo Kreis today;
* ``needs matrix nrw`` – the same for an NRW-scale tenant with 3,000 offers and 70,000 people.
  No seeded tenant is that large (the NRW seed spreads 70,000 people over 73 tenants), so the
  script builds one once per database ("NRW-Skalentest", bulk inserts, a few dozen seconds):
  offers with the programme rule sets, participants with residence status, case, open goal,
  some recorded needs and referrals;
* ``needs report pdf`` – the report data and the PDF of the demo Kreis.

Targets from the issue: matrix Kreis < 300 ms, NRW < 2 s, report PDF < 10 s.
Prints one JSON line: ``{"rows": [...]}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NRW_NAME = "NRW-Skalentest (Bedarfsanalyse)"
NRW_OFFERS = 3000
NRW_PEOPLE = 70_000


def percentile(sorted_values: list[float], q: float) -> float:
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def cold() -> None:
    from django.db import connections

    from teilhabe.needs import selectors
    from teilhabe.offers import matching

    matching._CACHE.clear()
    selectors._RULE_CACHE.clear()
    connections.close_all()


def timed(label: str, path: str, func: Any, repeat: int, **info: Any) -> dict[str, Any]:
    timings = []
    for _ in range(repeat):
        cold()
        t0 = time.perf_counter()
        func()
        timings.append(time.perf_counter() - t0)
    timings.sort()
    return {
        "label": label,
        "path": path,
        "runs": repeat,
        "p50_ms": ms(statistics.median(timings)),
        "p95_ms": ms(percentile(timings, 95)),
        "p99_ms": ms(percentile(timings, 99)),
        "mean_ms": ms(statistics.fmean(timings)),
        "min_ms": ms(timings[0]),
        "max_ms": ms(timings[-1]),
        **info,
    }


def nrw_tenant() -> Any:
    """The NRW-scale tenant (built once per database)."""
    from django.db import transaction

    from teilhabe.accounts.models import Membership, Tenant, User
    from teilhabe.accounts.roles import Role
    from teilhabe.needs.models import ParticipantNeed
    from teilhabe.offers.models import Category, Offer, Provider, RuleSetRecord
    from teilhabe.participants.models import Case, Goal, Participant, Referral, ResidenceStatusEntry
    from teilhabe.territory.models import Territory, gemeinden_in

    found = Tenant.objects.filter(name=NRW_NAME).first()
    if found is not None:
        return found
    used = set(Tenant.objects.values_list("territory_id", flat=True))
    territory = (
        Territory.objects.top_level().exclude(pk__in=used).order_by("ags").first()
        or Territory.objects.filter(kind="kreisangehoerige_gemeinde")
        .exclude(pk__in=used)
        .order_by("ags")
        .first()
    )
    rng = random.Random(70)
    today = dt.date.today()
    with transaction.atomic():
        tenant = Tenant.objects.create(name=NRW_NAME, territory=territory)
        user = User.objects.create(username="bench.needs.case_worker", email="b@bench.invalid")
        Membership.objects.create(tenant=tenant, user=user, role=Role.CASE_WORKER)
        cats = list(Category.objects.filter(is_active=True))
        rule_sets = [None, *RuleSetRecord.objects.filter(tenant__isnull=True)]
        providers = Provider.objects.bulk_create(
            [Provider(tenant=tenant, name=f"Träger {i}", kind="verein") for i in range(200)]
        )
        Offer.objects.bulk_create(
            [
                Offer(
                    tenant=tenant,
                    key=f"o{i}",
                    title=f"Angebot {i}",
                    category=rng.choice(cats),
                    provider=rng.choice(providers),
                    status="aktiv",
                    capacity=rng.choice([None, 8, 12, 16, 20, 25]),
                    waiting_list=rng.randint(0, 5),
                    rule_set=rng.choice(rule_sets),
                    min_age=rng.choice([None, None, 18]),
                    max_age=rng.choice([None, None, 24, 27]),
                    language_level_required=rng.choice(["", "", "A1", "A2", "B1"]),
                    women_only=rng.random() < 0.05,
                )
                for i in range(NRW_OFFERS)
            ],
            batch_size=1000,
        )
        gemeinden = list(gemeinden_in(territory)) or [territory]
        people = Participant.objects.bulk_create(
            [
                Participant(
                    tenant=tenant,
                    first_name="Test",
                    last_name=f"Person {i}",
                    birth_date=today - dt.timedelta(days=rng.randint(18 * 365, 27 * 365)),
                    sex=rng.choice(["female", "male", "male"]),
                    gemeinde=rng.choice(gemeinden),
                )
                for i in range(NRW_PEOPLE)
            ],
            batch_size=2000,
        )
        kinds = [
            ("gestattung", ""),
            ("duldung", "60a"),
            ("duldung", "60c"),
            ("aufenthaltserlaubnis", "25_2"),
            ("aufenthaltserlaubnis", "25a"),
            ("aufenthaltserlaubnis", "24"),
            ("niederlassungserlaubnis", ""),
        ]
        ResidenceStatusEntry.objects.bulk_create(
            [
                ResidenceStatusEntry(
                    tenant=tenant,
                    participant=p,
                    kind=k,
                    paragraph=para,
                    valid_from=today - dt.timedelta(days=rng.randint(30, 900)),
                )
                for p in people
                for k, para in [rng.choice(kinds)]
            ],
            batch_size=2000,
        )
        cases = Case.objects.bulk_create(
            [
                Case(tenant=tenant, participant=p, responsible=user, intake_date=today)
                for p in people
            ],
            batch_size=2000,
        )
        Goal.objects.bulk_create(
            [
                Goal(tenant=tenant, case=c, category=rng.choice(cats), text="Ziel")
                for c in cases
                if rng.random() < 0.8
            ],
            batch_size=2000,
        )
        ParticipantNeed.objects.bulk_create(
            [
                ParticipantNeed(
                    tenant=tenant,
                    participant=p,
                    category=rng.choice(cats),
                    recorded_on=today - dt.timedelta(days=rng.randint(1, 300)),
                    recorded_by=user,
                )
                for p in people
                if rng.random() < 0.3
            ],
            batch_size=2000,
        )
        offers = list(Offer.objects.filter(tenant=tenant).values_list("pk", flat=True))
        Referral.objects.bulk_create(
            [
                Referral(
                    tenant=tenant,
                    case=c,
                    offer_id=rng.choice(offers),
                    status=rng.choice(["warteliste", "abgelehnt"]),
                )
                for c in cases
                if rng.random() < 0.08
            ],
            batch_size=2000,
        )
    return tenant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tenant-ags", default="05754", help="the demo Kreis (Gütersloh)")
    parser.add_argument("--skip-nrw", action="store_true", help="no NRW-scale tenant")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import timezone

    from teilhabe.accounts.models import Membership, Tenant
    from teilhabe.needs import report
    from teilhabe.needs.selectors import compute_matrix

    today = timezone.localdate()
    demo = Tenant.objects.select_related("territory").get(territory__ags=args.tenant_ags)
    coordinator = Membership.objects.filter(tenant=demo, role="coordination").first()
    rows = [
        timed(
            "needs matrix kreis",
            f"compute_matrix: {demo.name}, status groups, cold",
            lambda: compute_matrix(demo, today),
            args.repeat,
            endpoint="needs_matrix_kreis",
        )
    ]
    if not args.skip_nrw:
        t0 = time.perf_counter()
        big = nrw_tenant()
        build_s = time.perf_counter() - t0
        rows.append(
            timed(
                "needs matrix nrw",
                f"compute_matrix: {NRW_OFFERS} offers, {NRW_PEOPLE} people, cold",
                lambda: compute_matrix(big, today),
                args.repeat,
                endpoint="needs_matrix_nrw",
                build_s=round(build_s, 1),
            )
        )
    if coordinator is not None:
        actor = coordinator.user

        def pdf() -> None:
            data = report.report_data(actor=actor, tenant=demo, on=today)
            assert report.report_pdf(data, None).startswith(b"%PDF")  # type: ignore[arg-type]

        rows.append(
            timed(
                "needs report pdf",
                f"report data + PDF: {demo.name}",
                pdf,
                max(1, min(args.repeat, 3)),
                endpoint="needs_report_pdf",
            )
        )
    print(json.dumps({"rows": rows}, ensure_ascii=False))


if __name__ == "__main__":
    main()

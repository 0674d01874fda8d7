"""Daily job: residence statuses that expired since yesterday — re-check the eligibility of
their holders and tell the responsible case workers what changed (``Notice``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from teilhabe.participants.services_people import eligibility_recheck_expired


class Command(BaseCommand):
    help = "Re-check the eligibility after expired residence statuses (daily, e.g. by cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="reference date YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--days", type=int, default=1, help="statuses that ended in the last N days (1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = timezone.localdate()
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Ungültiges Datum: {options['date']}") from exc
        if options["days"] < 1:
            raise CommandError("--days muss mindestens 1 sein.")
        notices = eligibility_recheck_expired(on=on, days=options["days"])
        people = {n.participant_id for n in notices}
        self.stdout.write(
            f"Neubewertung am {on:%d.%m.%Y}: {len(people)} Person(en) mit geänderter "
            f"Förderfähigkeit, {len(notices)} Hinweis(e) an Fachkräfte."
        )

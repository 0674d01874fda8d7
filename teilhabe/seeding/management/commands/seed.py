from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from teilhabe.seeding.builders import DEMO_PASSWORD, seed_kreis, seed_nrw


class Command(BaseCommand):
    help = "Load deterministic demo data: --scale kreis (demo) or nrw (73 tenants)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["kreis", "nrw"], default="kreis")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--without-casework",
            action="store_true",
            help="nrw scale: offers and users only (no participants, contacts, referrals)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] == "nrw":
            result = seed_nrw(options["seed"], with_casework=not options["without_casework"])
        else:
            result = seed_kreis(options["seed"])
        if connection.vendor == "postgresql":
            # fresh statistics after a bulk load, as autovacuum would gather them later: the
            # planner otherwise estimates from defaults (docs: "Populating a Database")
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if options["quiet"]:
            return
        self.stdout.write(f"Mandanten: {len(result.tenants)}")
        self.stdout.write("")
        self.stdout.write(f"Demo-Zugänge (Passwort für alle: {DEMO_PASSWORD})")
        width = max(len(u) for u, _ in result.logins)
        for username, label in result.logins:
            self.stdout.write(f"  {username.ljust(width)}  {label}")

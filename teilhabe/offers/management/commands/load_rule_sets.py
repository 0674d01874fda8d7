from typing import Any

from django.core.management.base import BaseCommand

from teilhabe.offers.services import programme_rule_sets_load


class Command(BaseCommand):
    help = "Copy the shipped programme rule sets (Durchstarten) into the database; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        created = programme_rule_sets_load()
        self.stdout.write(f"Regelwerke: {created} neu angelegt.")

from typing import Any

from django.core.management.base import BaseCommand

from teilhabe.territory.services import territories_load


class Command(BaseCommand):
    help = "Load the NRW territories (Land, Regierungsbezirke, Kreise, Gemeinden); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        result = territories_load()
        self.stdout.write(
            f"Gebiete: {result.created} neu, {result.updated} geändert, "
            f"{result.unchanged} unverändert."
        )

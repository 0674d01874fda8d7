"""Retention: anonymise participants whose cases were all closed longer ago than
``TEILHABE_RETENTION_YEARS`` (default 3).  ``--dry-run`` only reports what would go."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from teilhabe.participants.services_people import retention_apply


class Command(BaseCommand):
    help = "Anonymise participants after the retention period (use --dry-run first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only report, change nothing")
        parser.add_argument("--date", help="reference date YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Ungültiges Datum: {options['date']}") from exc
        dry = options["dry_run"]
        rows = retention_apply(today=today, dry_run=dry)
        years = settings.TEILHABE_RETENTION_YEARS
        out = self.stdout
        out.write(
            f"Aufbewahrungsfrist: {years} Jahre nach Abschluss aller Fälle "
            f"(Stichtag {today:%d.%m.%Y})."
        )
        if dry:
            out.write("PROBELAUF – es wird nichts geändert.")
        if not rows:
            out.write("Keine Person erreicht die Frist.")
            return
        verb = "würden anonymisiert" if dry else "wurden anonymisiert"
        out.write(f"{len(rows)} Person(en) {verb}:")
        tenant = None
        for row in rows:
            p = row.participant
            if p.tenant_id != tenant:
                tenant = p.tenant_id
                out.write(f"  {p.tenant.name}:")
            out.write(
                f"    – Pseudonym {p.pseudonym or '–'}: {row.cases} Fall/Fälle, "
                f"zuletzt abgeschlossen am {row.last_closed:%d.%m.%Y}"
            )
        out.write(
            "Anonymisiert werden Namen, Kontaktdaten und Freitexte; das Geburtsdatum wird auf den "
            "1. Januar gekürzt, Dokumente werden gelöscht. Fälle und Protokoll bleiben."
        )

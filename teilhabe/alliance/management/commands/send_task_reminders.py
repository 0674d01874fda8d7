"""Reminder e-mails for overdue alliance tasks.  Run daily (cron or a systemd timer); running
it again the same day sends nothing twice (``Task.reminded_on``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from teilhabe.alliance.services import task_reminders_send


class Command(BaseCommand):
    help = "Send one e-mail per responsible person with their overdue alliance tasks (once a day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD; default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["date"]) if options.get("date") else None
        run = task_reminders_send(today=today)
        self.stdout.write(f"{run.sent} reminder e-mail(s) sent")
        for task in run.unreachable:
            self.stderr.write(
                f"no address for the overdue task {task.public_id} of {task.organisation} "
                f"({task.tenant}): add an e-mail to the person or the organisation"
            )

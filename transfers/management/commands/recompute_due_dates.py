from django.core.management.base import BaseCommand

from transfers.services import due_dates_recompute


class Command(BaseCommand):
    help = (
        "Recompute the due dates of open cases' running stages with the calendar in force "
        "(run once after deploying the calendar table; the admin does it on every change)."
    )

    def handle(self, *args, **options):
        changed = due_dates_recompute()
        self.stdout.write(f"{changed} case(s) changed")

from django.core.management.base import BaseCommand

from transfers import figures


class Command(BaseCommand):
    help = (
        "Roll the workbench's daily figures of every closed day of the last year not rolled "
        "yet (the nightly task does this; run it once after loading history in bulk)."
    )

    def handle(self, *args, **options):
        days = figures.roll()
        self.stdout.write(f"rolled {days} day(s)")

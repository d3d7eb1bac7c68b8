from django.core.management.base import BaseCommand

from agencies.services import regions_load


class Command(BaseCommand):
    help = "Load the current GB/T 2260 region tree from python-stdnum's data (idempotent)."

    def handle(self, *args, **options):
        created = regions_load()
        self.stdout.write(f"regions: {created} created")

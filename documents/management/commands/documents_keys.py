from django.core.management.base import BaseCommand

from agencies.models import Agency
from documents.signing import ensure_keys, signing_dir


class Command(BaseCommand):
    help = (
        "Create the document signing CA and a signing key and certificate for every agency "
        "in DOCUMENT_SIGNING_DIR, where missing. Idempotent: existing keys are kept."
    )

    def handle(self, *args, **options):
        created_ca, created = ensure_keys(Agency.objects.select_related("region").order_by("pk"))
        directory = signing_dir()
        self.stdout.write(
            f"Signing directory: {directory}. CA: {'created' if created_ca else 'kept'}. "
            f"Agency keys created: {created}."
        )

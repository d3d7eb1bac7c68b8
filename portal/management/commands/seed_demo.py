from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from core.otp import InvalidSecret, check_secret
from documents.signing import ensure_keys
from insured.demo import DEFAULT_PASSWORD, demo_seed
from transfers.demo import demo_transfers_seed


class Command(BaseCommand):
    help = (
        "Load demo data: regions, agencies, staff accounts, 张三, 李四 and 王五 (with his first "
        "transfer run through the services), and optionally N "
        "synthetic insured persons. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password of every demo account (default: {DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--otp-secret",
            default="",
            help="base32 TOTP secret given to every staff account (demo and browser tests)",
        )
        parser.add_argument(
            "--persons", type=int, default=0, help="synthetic insured persons to add"
        )

    def handle(self, *args, password, persons, otp_secret="", **options):
        if persons < 0:
            raise CommandError("--persons must be 0 or more")
        if not password:
            raise CommandError("--password must not be empty")
        if otp_secret:
            try:
                check_secret(otp_secret)
            except InvalidSecret:
                raise CommandError(
                    "--otp-secret must be a base32 secret of 16 characters or more"
                ) from None
        result = demo_seed(password=password, persons=persons, otp_secret=otp_secret)
        # The agencies' signing keys before any document is issued (王五's case issues some).
        _created_ca, keys = ensure_keys(Agency.objects.order_by("pk"))
        # 王五's first move runs through the transfer services (transfers sits above insured,
        # so the command lives in portal, which wires both).
        demo_transfers_seed()
        self.stdout.write(
            f"Regions loaded: {result.regions_created} new. "
            f"Synthetic persons created: {result.persons_created} (requested {persons})."
        )
        self.stdout.write(f"Document signing keys created: {keys} (documents_keys).")
        self.stdout.write(
            "Demo accounts: admin, bj-review, bj-finance, nj-review, nj-finance, cd-review, "
            "cd-finance, wh-review, wh-finance, xa-review, xa-finance, wf-review, wf-finance, "
            "kw-review, kw-finance, 110105199003071239 (张三), 320106198511124529 (李四), "
            "420106198405150030 (王五), 370705196503100013 (孙八)"
        )
        if persons:
            self.stdout.write("Synthetic persons log in with their ID number as user name.")
        self.stdout.write(f"Password of every demo account: {password}")
        if otp_secret:
            self.stdout.write(
                f"TOTP secret of every staff account (admin and the clerks): {otp_secret}"
            )

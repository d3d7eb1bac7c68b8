"""Existing data into the ledger: yearly rows become periods with their rates written out, and
every TransferredRights row (now a RightsMovement) becomes a received ledger entry linked to the
enrollment it came from.

The old rows did not keep the parts of the account (① ② ③) nor the wages behind the pooled
fund: the whole personal account is taken as ② (the balance carried, which a later transfer
moves as ②) and the wages as the pooled fund / 12 %, to the fen."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Q

RATE = Decimal("0.0001")
CENT = Decimal("0.01")


def forwards(apps, schema_editor):
    ContributionYear = apps.get_model("insured", "ContributionYear")
    RightsMovement = apps.get_model("insured", "RightsMovement")
    Enrollment = apps.get_model("insured", "Enrollment")
    for period in ContributionYear.objects.filter(employer_rate__isnull=True).iterator():
        wages = period.monthly_base * period.months_paid
        if not wages:
            continue
        period.employer_rate = min(Decimal(1), (period.employer_contribution / wages).quantize(RATE))
        period.personal_rate = min(Decimal(1), (period.personal_contribution / wages).quantize(RATE))
        period.save(update_fields=["employer_rate", "personal_rate"])
    for movement in RightsMovement.objects.filter(transfer_date__isnull=True).select_related(
        "to_enrollment"
    ):
        target = movement.to_enrollment
        source = (
            Enrollment.objects.filter(
                person_id=target.person_id,
                insurance=target.insurance,
                status="transferred_out",
            )
            .filter(
                Q(region_id=movement.from_region_id)
                | Q(agency__region_id=movement.from_region_id)
            )
            .order_by("-start_month")
            .first()
        )
        movement.from_enrollment = source
        movement.status = "received"
        recorded = movement.recorded_at
        movement.transfer_date = recorded.date() if recorded else target.start_month
        movement.since_1998_to_last_year = movement.personal_account
        movement.wages_since_1998 = (movement.pooled_fund / Decimal("0.12")).quantize(CENT)
        movement.save()


class Migration(migrations.Migration):
    dependencies = [("insured", "0005_ledger_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

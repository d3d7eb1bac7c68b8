"""Periods instead of years, the ledger of rights, and the fields the forms print.

The rename keeps every existing TransferredRights row: it becomes a RightsMovement (a ledger
entry); 0003 fills the new columns of those rows and the rates of the existing periods."""

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("insured", "0003_plain_text_validators"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("TransferredRights", "RightsMovement"),
        migrations.RenameField("rightsmovement", "enrollment", "to_enrollment"),
    ]

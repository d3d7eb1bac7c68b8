import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0007_transfer_application"),
    ]

    operations = [
        migrations.AlterField(
            model_name="transfercase",
            name="application",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="transfers.transferapplication",
                verbose_name="转入申请",
            ),
        ),
        migrations.AddConstraint(
            model_name="transfercase",
            constraint=models.UniqueConstraint(
                fields=("application", "transfer_out_agency"),
                name="one_case_per_place_in_application",
            ),
        ),
    ]

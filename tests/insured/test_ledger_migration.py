"""The ledger migrations keep existing data: yearly rows become periods with their rates, and
TransferredRights rows become received ledger entries linked to where they came from. Runs the
migrations on a database built by the previous schema (insured 0001)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("insured", "0001_initial")]
AFTER = [("insured", "0006_ledger_data")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_yearly_rows_and_transferred_rights_survive_the_migration(regions):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        Region = old.get_model("agencies", "Region")
        Agency = old.get_model("agencies", "Agency")
        Person = old.get_model("insured", "InsuredPerson")
        Enrollment = old.get_model("insured", "Enrollment")
        Year = old.get_model("insured", "ContributionYear")
        Rights = old.get_model("insured", "TransferredRights")
        beijing = Agency.objects.create(region=Region.objects.get(code="110105"), name="北京",
                                        insurance="both")  # fmt: skip
        nanjing = Agency.objects.create(region=Region.objects.get(code="320100"), name="南京",
                                        insurance="both")  # fmt: skip
        person = Person.objects.create(id_number="110105199003071239", name="张三",
                                       hukou_region_id="110105", hukou_address="北京")  # fmt: skip
        out = Enrollment.objects.create(person=person, insurance="pension", agency=beijing,
                                        region_id="110105", start_month=datetime.date(2020, 1, 1),
                                        status="transferred_out")  # fmt: skip
        into = Enrollment.objects.create(person=person, insurance="pension", agency=nanjing,
                                         region_id="320106", start_month=datetime.date(2024, 1, 1))  # fmt: skip
        Year.objects.create(enrollment=out, year=2020, first_month=1, last_month=12,
                            months_paid=12, monthly_base=Decimal("8000.00"),
                            employer_contribution=Decimal("15360.00"),
                            personal_contribution=Decimal("7680.00"),
                            personal_account_credit=Decimal("7680.00"),
                            interest=Decimal("153.60"))  # fmt: skip
        Rights.objects.create(enrollment=into, reference="2026010100000001",
                              from_region_id="110105", months=12,
                              personal_account=Decimal("7833.60"),
                              pooled_fund=Decimal("11520.00"))  # fmt: skip

        new = migrate(AFTER)
        period = new.get_model("insured", "ContributionYear").objects.get()
        assert (period.employer_rate, period.personal_rate) == (
            Decimal("0.1600"),
            Decimal("0.0800"),
        )
        entry = new.get_model("insured", "RightsMovement").objects.get()
        assert entry.status == "received"
        assert (entry.to_enrollment_id, entry.from_enrollment_id) == (into.pk, out.pk)
        assert (entry.months, entry.personal_account) == (12, Decimal("7833.60"))
        assert entry.since_1998_to_last_year == Decimal("7833.60")
        assert entry.wages_since_1998 == Decimal("96000.00")  # 11520 / 12 %
        assert entry.transfer_date is not None
    finally:
        migrate(leaves)

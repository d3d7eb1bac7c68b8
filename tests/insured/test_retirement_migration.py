"""Migration 0009 adds the contributor type and the retirement category keeping every row:
existing periods become 单位职工 (employer), existing persons have no category recorded."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("insured", "0008_personaccess")]
AFTER = [("insured", "0009_retirement_category_contributor_type")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_periods_become_employer_periods_with_their_figures(regions):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        Region = old.get_model("agencies", "Region")
        Agency = old.get_model("agencies", "Agency")
        Person = old.get_model("insured", "InsuredPerson")
        Enrollment = old.get_model("insured", "Enrollment")
        Year = old.get_model("insured", "ContributionYear")
        agency = Agency.objects.create(region=Region.objects.get(code="110105"), name="北京",
                                       insurance="both")  # fmt: skip
        person = Person.objects.create(id_number="110105199003071239", name="张三",
                                       hukou_region_id="110105", hukou_address="北京")  # fmt: skip
        enrollment = Enrollment.objects.create(person=person, insurance="pension", agency=agency,
                                               region_id="110105",
                                               start_month=datetime.date(2020, 1, 1))  # fmt: skip
        Year.objects.create(enrollment=enrollment, year=2020, first_month=1, last_month=12,
                            months_paid=12, monthly_base=Decimal("8000.00"),
                            employer_rate=Decimal("0.16"), personal_rate=Decimal("0.08"),
                            employer_contribution=Decimal("15360.00"),
                            personal_contribution=Decimal("7680.00"),
                            personal_account_credit=Decimal("7680.00"),
                            interest=Decimal("153.60"))  # fmt: skip

        new = migrate(AFTER)
        period = new.get_model("insured", "ContributionYear").objects.get()
        assert period.contributor_type == "employer"
        assert (period.months_paid, period.personal_account_credit, period.interest) == (
            12, Decimal("7680.00"), Decimal("153.60"),
        )  # fmt: skip
        assert new.get_model("insured", "InsuredPerson").objects.get().retirement_category == ""
    finally:
        migrate(leaves)

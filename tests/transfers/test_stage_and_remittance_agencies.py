"""Stages and remittances carry the agencies the workbench counts them for (the stage's side,
the payer and the payee), set from the case when written and copied onto existing rows by the
migration that added them."""

import importlib

import pytest
from django.apps import apps

from tests.transfers.factories import case_in, make_parties
from transfers.models import FundRemittance, Stage

pytestmark = pytest.mark.django_db

migration = importlib.import_module("transfers.migrations.0013_stage_and_remittance_agencies")


@pytest.fixture
def parties(regions):
    return make_parties()


def agencies_of(case) -> dict:
    return {
        **dict(Stage.objects.filter(case=case).values_list("name", "agency")),
        "payer": FundRemittance.objects.get(case=case).payer_agency_id,
        "payee": FundRemittance.objects.get(case=case).payee_agency_id,
    }


def test_each_stage_belongs_to_its_side_and_the_remittance_to_both_parties(parties):
    case = case_in("completed", parties)
    inn, out = parties.in_agency.pk, parties.out_agency.pk
    assert agencies_of(case) == {
        "certificate": out,
        "review": inn,
        "transfer_out": out,
        "transfer_in": inn,
        "payer": out,
        "payee": inn,
    }


def test_the_migration_copies_the_agencies_onto_rows_written_before_it(parties):
    cases = [case_in("completed", parties), case_in("funds_remitted", parties)]
    expected = [agencies_of(case) for case in cases]
    Stage.objects.update(agency=None)
    FundRemittance.objects.update(payer_agency=None, payee_agency=None)

    migration.copy_agencies_from_cases(apps, None)

    assert [agencies_of(case) for case in cases] == expected


def test_the_migrations_copy_of_the_sides_is_the_workflows():
    from transfers.workflow import STAGE_SIDE

    assert {str(name): side for name, side in STAGE_SIDE.items()} == migration.STAGE_SIDE

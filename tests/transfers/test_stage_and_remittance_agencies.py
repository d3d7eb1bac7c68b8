"""Stages and remittances carry the agencies the workbench counts them for (the stage's side,
the payer and the payee), set by the services that write them and copied onto existing rows by
the migration that added them."""

import importlib

import pytest
from django.apps import apps

from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import case_in, make_mover, make_parties
from transfers import services
from transfers.models import FundRemittance, Stage, TransferCase
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]  # a fixture

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


def test_the_services_give_each_stage_its_side_and_the_remittance_both_parties(
    parties, django_capture_on_commit_callbacks
):
    """Through the services and their follow-ups (eager), as a real case runs."""
    person = make_mover(parties)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.transfer_submit(
            person=person,
            insurance="pension",
            category="enterprise",
            from_region="110105",
            to_region="320106",
            phone="13912345678",
            hukou_address="北京市朝阳区建国路1号",
            actor=person.user,
        )
    for move, actor in (
        (services.transfer_accept, parties.in_reviewer),
        (services.transfer_acknowledge, parties.out_reviewer),
        (services.transfer_remit, parties.out_finance),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            move(case=TransferCase.objects.get(pk=case.pk), actor=actor)
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED  # every stage started, the money paid
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

"""Four eyes on money: an agency's fund account changes only when a second superuser
approves; the pending change shows on the workbench. Clerks read agencies, never edit them."""

import pytest
from django.urls import reverse

from agencies import services
from agencies.models import BankAccountChange
from core.errors import DomainError, NotAllowed, TransitionNotAllowed
from tests.factories import UserFactory
from tests.otp_helpers import login_verified
from tests.transfers.factories import case_in, make_parties

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(regions):
    return make_parties()


@pytest.fixture
def two_admins():
    return (
        UserFactory(username="root-a", is_staff=True, is_superuser=True),
        UserFactory(username="root-b", is_staff=True, is_superuser=True),
    )


NEW = {
    "account_name": "南京市社保基金支出户",
    "bank_name": "工商银行",
    "account_number": "95588001",
}


def test_a_change_applies_only_after_a_second_superuser_approves(parties, two_admins):
    a, b = two_admins
    agency = parties.in_agency
    old = agency.bank_account_number
    change = services.bank_change_request(agency=agency, actor=a, **NEW)
    agency.refresh_from_db()
    assert agency.bank_account_number == old  # nothing yet

    with pytest.raises(NotAllowed):
        services.bank_change_approve(change=change, actor=a)  # not one's own
    with pytest.raises(NotAllowed):
        services.bank_change_approve(change=change, actor=parties.in_supervisor)
    with pytest.raises(TransitionNotAllowed):
        services.bank_change_request(agency=agency, actor=b, **NEW)  # one pending at a time

    services.bank_change_approve(change=change, actor=b)
    agency.refresh_from_db()
    assert agency.bank_account_number == "95588001"
    assert agency.bank_name == "工商银行"
    with pytest.raises(TransitionNotAllowed):
        services.bank_change_reject(change=change, actor=b)


def test_bad_account_numbers_are_refused(parties, two_admins):
    with pytest.raises(DomainError):
        services.bank_change_request(
            agency=parties.in_agency, actor=two_admins[0], **{**NEW, "account_number": "12ab"}
        )
    assert not BankAccountChange.objects.exists()


def test_the_admin_proposes_and_a_second_admin_approves_with_the_workbench_showing_it(
    client, parties, two_admins
):
    a, b = two_admins
    login_verified(client, a)
    add = reverse("admin:agencies_bankaccountchange_add")
    client.post(
        add,
        {
            "agency": parties.in_agency.pk,
            "bank_account_name": NEW["account_name"],
            "bank_name": NEW["bank_name"],
            "bank_account_number": NEW["account_number"],
        },
    )
    change = BankAccountChange.objects.get()
    workbench = client.get(reverse("admin:index")).content.decode()
    assert "待复核的银行账户变更" in workbench and "****8001" in workbench

    # The agency page itself no longer edits the account.
    page = client.get(reverse("admin:agencies_agency_change", args=[parties.in_agency.pk]))
    assert 'name="bank_account_number"' not in page.content.decode()

    changelist = reverse("admin:agencies_bankaccountchange_changelist")
    client.post(changelist, {"action": "approve", "_selected_action": [change.pk]})
    change.refresh_from_db()
    assert change.status == "pending"  # the proposer cannot approve

    login_verified(client, b)
    client.post(changelist, {"action": "approve", "_selected_action": [change.pk]})
    change.refresh_from_db()
    parties.in_agency.refresh_from_db()
    assert change.status == "approved" and change.decided_by == b
    assert parties.in_agency.bank_account_number == "95588001"


def test_a_clerk_follows_the_agency_link_to_a_read_only_page(client, parties):
    case = case_in("submitted", parties)
    login_verified(client, parties.in_reviewer)
    html = client.get(reverse("admin:transfers_transfercase_change", args=[case.pk]))
    url = reverse("admin:agencies_agency_change", args=[parties.out_agency.pk])
    assert url in html.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert parties.out_agency.name in body and 'name="_save"' not in body
    assert client.post(url, {"name": "x"}).status_code == 403

"""我的参保记录 in a real browser, during and after a medical transfer: months and money are
always somewhere, never counted twice (张三's case: Beijing → Nanjing)."""

import os
from decimal import Decimal

import pytest

from tests.transfers.factories import make_mover, make_parties
from transfers import services
from transfers.models import TransferFunds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-9"
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def totals_row(page, label: str) -> str:
    return page.locator("#summary-title + .table-wrap tr", has_text=label).inner_text()


def test_records_show_the_months_in_transit_then_at_the_new_place(page, regions):
    parties = make_parties()
    mover = make_mover(parties, insurance="medical")
    mover.user.set_password(PASSWORD)
    mover.user.save(update_fields=["password"])
    page.goto("/login/")
    page.fill("#id_username", mover.user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

    page.goto("/me/records/")
    before = totals_row(page, "医疗")
    case = services.transfer_submit(
        person=mover, insurance="medical", category="employee", from_region="110105",
        to_region="320106", phone="13912345678", hukou_address="北京", actor=mover.user,
    )  # fmt: skip
    services.transfer_accept(case=case, actor=parties.in_reviewer)
    services.transfer_acknowledge(case=case, actor=parties.out_reviewer)
    funds = TransferFunds.objects.get(case=case)
    assert funds.personal_account == Decimal("3712.84")

    page.goto("/me/records/")
    shot(page, "records-in-transit")
    during = totals_row(page, "医疗")
    assert during.split("\t")[:3] == before.split("\t")[:3]  # nothing lost while it travels
    assert "18 个月，¥3,712.84" in during
    transit = page.locator("[data-ledger='in-transit']")
    assert "转移途中" in transit.inner_text() and case.serial_no in transit.inner_text()
    transit.get_by_role("link").click()
    assert case.serial_no in page.content()

    services.transfer_remit(case=case, actor=parties.out_finance)
    services.transfer_confirm_receipt(case=case, actor=parties.in_finance, amount=funds.total)
    page.goto("/me/records/")
    shot(page, "records-after")
    after = totals_row(page, "医疗")
    assert after.split("\t")[:3] == before.split("\t")[:3]
    assert page.locator("[data-ledger='in-transit']").count() == 0
    out = page.locator("[data-ledger='transferred-out']").inner_text()
    assert "本地余额 ¥0.00" in out and "南京" in out

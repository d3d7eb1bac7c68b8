"""Demo transfers (``manage.py seed_demo``): 王五's first move, Chengdu → Wuhan, run through the
real services so that his records and the ledger hold exactly what a real case leaves behind,
and he can apply for the second hop (Wuhan → Xi'an) himself.

Each step is called directly (they are idempotent): with ``REDIS_URL`` unset the pipeline has
already run it eagerly on commit and the call is a no-op; with a broker, no worker is needed.
The case is dated today (serial number, documents); the ledger entry is dated 2016-07, when
the move happened in 王五's history, and Wuhan's periods earn interest on it from 2017."""

from django.contrib.auth import get_user_model
from django.db import transaction

from agencies.models import Insurance
from insured import ledger
from insured.demo import WANG_WU, WANG_WU_FIRST_MOVE, _month
from insured.models import Enrollment, InsuredPerson, RightsMovement
from transfers import services
from transfers.models import TransferCase, TransferFunds

CATEGORY = {Insurance.PENSION: "enterprise", Insurance.MEDICAL: "employee"}


def demo_transfers_seed() -> int:
    """Run 王五's Chengdu → Wuhan cases (pension and medical) once; returns how many ran."""
    person = InsuredPerson.objects.select_related("user").filter(id_number=WANG_WU).first()
    if person is None or TransferCase.objects.filter(person=person).exists():
        return 0
    clerks = {
        user.username: user
        for user in get_user_model().objects.filter(
            username__in=["cd-review", "cd-finance", "wh-review", "wh-finance"]
        )
    }
    ran = 0
    for insurance in (Insurance.PENSION, Insurance.MEDICAL):
        case = services.transfer_submit(
            person=person,
            insurance=insurance,
            category=CATEGORY[insurance],
            from_region="510107",
            to_region="420103",
            phone=person.phone,
            hukou_address=person.hukou_address,
            actor=person.user,
        )
        services.transfer_issue_certificate(case_id=case.pk)
        services.transfer_accept(case=case, actor=clerks["wh-review"])
        services.transfer_send_letter(case_id=case.pk)
        services.transfer_acknowledge(case=case, actor=clerks["cd-review"])
        services.transfer_issue_info_sheet(case_id=case.pk)
        services.transfer_remit(case=case, actor=clerks["cd-finance"])
        services.transfer_pay_remittance(case_id=case.pk)
        funds = TransferFunds.objects.get(case=case)
        services.transfer_confirm_receipt(case=case, actor=clerks["wh-finance"], amount=funds.total)
        # The move's place in 王五's history (see the module docstring).
        RightsMovement.objects.filter(reference=case.serial_no).update(
            transfer_date=WANG_WU_FIRST_MOVE
        )
        ran += 1
    with transaction.atomic():
        # Wuhan paid until 2026-06; since 2026-07 he works and pays in Xi'an.
        for wuhan in Enrollment.objects.filter(person=person, agency__region_id="420100"):
            ledger.enrollment_interrupt(
                enrollment=wuhan, last_month=_month(2026, 6), note="调往西安工作，停止缴费"
            )
    return ran

"""The services of the workflow: submission rules and every move's refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import Region, StaffRole
from core.errors import DomainError, NotAllowed, TransitionNotAllowed
from documents.models import Document
from insured.models import EnrollmentStatus, MovementStatus, RightsMovement
from tests.factories import UserFactory, region
from tests.transfers import samples
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import case_in, make_mover, make_parties
from transfers import services
from transfers.models import FundRemittance, Stage, StageName, TransferCase
from transfers.services import AmountMismatch, EligibilityError
from transfers.workflow import CLERK_MOVES, MOVES, CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


__all__ = ["eager_tasks"]  # a fixture


@pytest.fixture
def parties(regions):
    return make_parties()


def submit(person, **overrides):
    values = {
        "person": person,
        "insurance": "pension",
        "category": "enterprise",
        "from_region": "110105",
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
        "actor": person.user,
    }
    values.update(overrides)
    return services.transfer_submit(**values)


# ── submission ───────────────────────────────────────────────────────────────────────────────


def test_submit_creates_a_case_with_serial_number_stages_and_event(parties):
    person = make_mover(parties)
    case = submit(person)
    today = timezone.localdate()
    assert case.serial_no == f"{today:%Y%m%d}00000001"
    assert case.status == CaseStatus.SUBMITTED
    assert case.transfer_in_agency == parties.in_agency  # 320106 → Nanjing city agency
    assert case.transfer_out_agency == parties.out_agency
    assert case.from_enrollment.agency == parties.out_agency
    assert case.to_enrollment.status == EnrollmentStatus.ACTIVE
    assert set(case.stages.values_list("name", flat=True)) == {"certificate", "review"}
    review = case.stages.get(name=StageName.REVIEW)
    assert review.due_date > today and case.current_due_date == review.due_date
    event = case.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "submit",
        "",
        "submitted",
        person.user,
    )


def test_serial_numbers_follow_each_other_within_a_day(parties):
    first = submit(make_mover(parties))
    second = submit(
        make_mover(parties, insurance="medical"), insurance="medical", category="employee"
    )
    assert int(second.serial_no) == int(first.serial_no) + 1
    assert len(second.serial_no) == 16


def test_refused_submission_gives_its_serial_number_back(parties):
    person = make_mover(parties)
    with pytest.raises(EligibilityError):
        submit(person, to_region="110105")
    assert submit(person).serial_no.endswith("00000001")


def test_overlapping_months_are_flagged_for_the_reviewer_not_refused(parties):
    case = submit(make_mover(parties))
    y = timezone.localdate().year
    # Beijing paid Y 1–2 and Nanjing Y 1–10.
    assert case.overlapping_months == [f"{y}-01", f"{y}-02"]
    assert "重复缴费" in case.events.get().note


def test_refused_when_not_enrolled_and_paying_at_the_destination(parties):
    person = make_mover(parties)
    person.enrollments.filter(agency=parties.in_agency).update(status=EnrollmentStatus.INTERRUPTED)
    with pytest.raises(EligibilityError, match="先在新就业地参保缴费") as refused:
        submit(person)
    assert refused.value.http_status == 400
    assert not TransferCase.objects.exists()


def test_refused_when_the_transfer_out_place_has_no_contributions(parties):
    person = make_mover(parties)
    person.enrollments.get(agency=parties.out_agency).years.all().delete()
    with pytest.raises(EligibilityError, match="没有您可转移"):
        submit(person)


def test_same_province_is_refused_with_the_provincial_rules_explained(parties):
    person = make_mover(parties)
    with pytest.raises(EligibilityError, match="不属于跨省转移接续") as refused:
        submit(person, from_region="320106", to_region="320102")
    assert refused.value.code == "same_province"
    assert "同在江苏省" in str(refused.value.message)


def test_refused_when_already_drawing_a_pension(parties):
    person = make_mover(parties)
    person.enrollments.filter(insurance="pension").update(drawing_benefits=True)
    with pytest.raises(EligibilityError, match="已按月领取基本养老金"):
        submit(person)


def test_refused_while_another_case_for_the_same_insurance_is_open(parties):
    person = make_mover(parties)
    first = submit(person)
    with pytest.raises(EligibilityError, match=first.serial_no):
        submit(person)


def test_a_new_case_is_allowed_once_the_previous_one_ended(parties):
    person = make_mover(parties)
    first = submit(person)
    services.transfer_withdraw(case=first, actor=person.user)
    assert submit(person).status == CaseStatus.SUBMITTED


def test_region_without_online_service_is_refused_with_the_agency_address(parties):
    Region.objects.filter(code="320106").update(online_transfer_enabled=False)
    with pytest.raises(EligibilityError, match="现场申请") as refused:
        submit(make_mover(parties))
    assert parties.in_agency.address in str(refused.value.message)


def test_category_must_fit_the_insurance(parties):
    with pytest.raises(EligibilityError, match="不适用"):
        submit(make_mover(parties), category="employee")


def test_unknown_region_code_is_a_clear_400(parties):
    with pytest.raises(EligibilityError, match="不是有效的行政区划代码"):
        submit(make_mover(parties), from_region="999999")


def test_only_the_person_may_apply_for_themselves(parties):
    person = make_mover(parties)
    with pytest.raises(NotAllowed):
        submit(person, actor=UserFactory())


@pytest.mark.parametrize(
    ("content", "accepted"),
    [
        (samples.pdf(), True),
        (samples.image("JPEG"), True),
        (samples.image("PNG"), True),
        (b"GIF89a", False),
        (b"<html>", False),
    ],
)
def test_attachment_type_is_read_from_its_bytes(parties, content, accepted):
    upload = SimpleUploadedFile("材料.pdf", content)
    person = make_mover(parties)
    if accepted:
        case = submit(person, attachment=upload)
        assert case.attachment.name and case.attachment_name == "材料.pdf"
    else:
        with pytest.raises(DomainError, match="PDF、JPG 或 PNG"):
            submit(person, attachment=upload)


def test_attachment_over_1024_kb_is_refused(parties, settings):
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * settings.ATTACHMENT_MAX_BYTES)
    with pytest.raises(DomainError, match="1024 KB"):
        submit(make_mover(parties), attachment=upload)


def test_submission_enqueues_the_certificate_on_commit_only(
    parties, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        case = submit(make_mover(parties))
        # Inside the transaction nothing has run yet: the event waits in the outbox.
        assert not Document.objects.filter(subject_key=f"enrollment:{case.from_enrollment_id}")
    event = case.events.get()
    assert (event.action, event.dispatched_at) == ("submit", None)
    # One dispatch on commit: it runs the follow-ups the table names, in order.
    assert [(c.func.__name__, c.args) for c in callbacks] == [("enqueue_dispatch", (event.pk,))]
    assert MOVES["submit"].follow_ups == ("notify_person", "issue_certificate")


# ── the moves: who, and in which state ──────────────────────────────────────────────────────

# move → (the state it needs, the Parties attribute of the right actor, extra kwargs)
PEOPLE_MOVES = {
    "accept": ("submitted", "in_reviewer", {}),
    "reject": ("submitted", "in_reviewer", {"reason": "材料不全"}),
    "acknowledge": ("letter_sent", "out_reviewer", {}),
    "return": ("letter_sent", "out_reviewer", {"reason": "信息不符"}),
    "remit": ("info_sheet_issued", "out_finance_2", {}),
    "confirm_receipt": ("funds_remitted", "in_finance", {"amount": Decimal("3345.60")}),
}
SERVICE = services.MOVE_SERVICES
ALL_STATES = [s.value for s in CaseStatus]


def test_the_table_covers_every_move_done_by_a_person():
    # Every clerk button of the table is tested here; retry has its own tests (attention).
    assert set(PEOPLE_MOVES) | {"retry"} == set(CLERK_MOVES)


@pytest.mark.parametrize("move", list(PEOPLE_MOVES))
def test_right_actor_in_the_right_state_moves_the_case_and_logs_one_event(parties, move):
    state, actor_attr, kwargs = PEOPLE_MOVES[move]
    case = case_in(state, parties)
    actor = getattr(parties, actor_attr)
    events_before = case.events.count()
    SERVICE[move](case=case, actor=actor, **kwargs)
    case.refresh_from_db()
    assert case.status == MOVES[move].target
    event = case.events.latest("id")
    assert case.events.count() == events_before + 1
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        move,
        state,
        MOVES[move].target,
        actor,
    )


@pytest.mark.parametrize(
    ("move", "state"),
    [
        (move, state)
        for move, (needed, _actor, _kw) in PEOPLE_MOVES.items()
        for state in ALL_STATES
        if state != needed
    ],
)
def test_right_actor_in_the_wrong_state_gets_409(parties, move, state):
    _needed, actor_attr, kwargs = PEOPLE_MOVES[move]
    case = case_in(state, parties)
    events_before = case.events.count()
    with pytest.raises(TransitionNotAllowed) as refused:
        SERVICE[move](case=case, actor=getattr(parties, actor_attr), **kwargs)
    assert refused.value.http_status == 409
    case.refresh_from_db()
    assert case.status == state
    assert case.events.count() == events_before


@pytest.mark.parametrize("move", list(PEOPLE_MOVES))
def test_clerk_of_an_agency_not_party_to_the_case_is_refused(parties, move):
    state, actor_attr, kwargs = PEOPLE_MOVES[move]
    case = case_in(state, parties)
    outsider = parties.outsider_finance if "finance" in actor_attr else parties.outsider_reviewer
    with pytest.raises(NotAllowed):
        SERVICE[move](case=case, actor=outsider, **kwargs)
    case.refresh_from_db()
    assert case.status == state


# The right agency on the wrong side of the case (e.g. the transfer-out reviewer accepting).
WRONG_SIDE = {
    "accept": "out_reviewer",
    "reject": "out_reviewer",
    "acknowledge": "in_reviewer",
    "return": "in_reviewer",
    "remit": "in_finance",
    "confirm_receipt": "out_finance",
}
# The right agency, the wrong role.
WRONG_ROLE = {
    "accept": "in_finance",
    "reject": "in_supervisor",
    "acknowledge": "out_finance",
    "return": "out_finance",
    "remit": "out_reviewer",
    "confirm_receipt": "in_reviewer",
}


@pytest.mark.parametrize("move", list(PEOPLE_MOVES))
@pytest.mark.parametrize("wrong", [WRONG_SIDE, WRONG_ROLE], ids=["wrong-side", "wrong-role"])
def test_wrong_side_or_role_gets_403(parties, move, wrong):
    state, _actor, kwargs = PEOPLE_MOVES[move]
    case = case_in(state, parties)
    with pytest.raises(NotAllowed) as refused:
        SERVICE[move](case=case, actor=getattr(parties, wrong[move]), **kwargs)
    assert refused.value.http_status == 403
    case.refresh_from_db()
    assert case.status == state


@pytest.mark.parametrize("move", list(PEOPLE_MOVES))
def test_the_applicant_cannot_do_an_agency_move(parties, move):
    state, _actor, kwargs = PEOPLE_MOVES[move]
    case = case_in(state, parties)
    with pytest.raises(NotAllowed):
        SERVICE[move](case=case, actor=case.person.user, **kwargs)


def test_withdraw_only_by_the_applicant_and_only_while_submitted(parties):
    case = case_in("submitted", parties)
    with pytest.raises(NotAllowed):
        services.transfer_withdraw(case=case, actor=parties.in_reviewer)
    with pytest.raises(NotAllowed):
        services.transfer_withdraw(case=case, actor=UserFactory())
    services.transfer_withdraw(case=case, actor=case.person.user)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.current_due_date is None
    with pytest.raises(TransitionNotAllowed):
        services.transfer_withdraw(case=case, actor=case.person.user)
    accepted = case_in("accepted", parties)
    with pytest.raises(TransitionNotAllowed):
        services.transfer_withdraw(case=accepted, actor=accepted.person.user)


def test_who_acknowledged_the_letter_cannot_approve_the_remittance(parties):
    """Separation of duties: a reviewer who acknowledged, later moved to finance, is refused."""
    case = case_in("letter_sent", parties)
    reviewer = parties.out_reviewer
    services.transfer_acknowledge(case=case, actor=reviewer)
    case.refresh_from_db()
    # the pipeline's step, done here by hand
    TransferCase.objects.filter(pk=case.pk).update(status=CaseStatus.INFO_SHEET_ISSUED)
    from transfers.models import TransferFunds

    TransferFunds.objects.create(
        case=case,
        months=1,
        before_1998=0,
        since_1998_to_last_year=0,
        transfer_year_principal=0,
        personal_account=Decimal("1.00"),
        pooled_fund=0,
        total=Decimal("1.00"),
    )
    reviewer.staff_membership.role = StaffRole.FINANCE
    reviewer.staff_membership.save()
    with pytest.raises(NotAllowed, match="不能审批同一笔") as refused:
        services.transfer_remit(case=case, actor=reviewer)
    assert refused.value.code == "separation_of_duties"
    assert not FundRemittance.objects.exists()
    services.transfer_remit(case=case, actor=parties.out_finance)
    assert FundRemittance.objects.get().approved_by == parties.out_finance


def test_remitting_twice_approves_once_and_the_case_waits_for_the_bank(parties):
    case = case_in("info_sheet_issued", parties)
    services.transfer_remit(case=case, actor=parties.out_finance)
    remittance = FundRemittance.objects.get(case=case)
    assert remittance.amount == Decimal("3345.60")
    assert remittance.idempotency_key == f"remit-{case.serial_no}"
    with pytest.raises(TransitionNotAllowed):
        services.transfer_remit(case=case, actor=parties.out_finance_2)
    assert FundRemittance.objects.count() == 1
    case.refresh_from_db()
    # Approved is not paid: "remitting" until the bank returns its reference, the transfer-out
    # stage (and its due date) still running.
    assert case.status == CaseStatus.REMITTING
    assert remittance.bank_reference == ""
    assert not case.stages.filter(name=StageName.TRANSFER_IN).exists()
    assert case.current_due_date == case.stages.get(name=StageName.TRANSFER_OUT).due_date


@pytest.mark.parametrize("move", ["reject", "return"])
def test_reject_and_return_need_a_reason(parties, move):
    state, actor_attr, _kw = PEOPLE_MOVES[move]
    case = case_in(state, parties)
    with pytest.raises(DomainError, match="请填写原因") as refused:
        SERVICE[move](case=case, actor=getattr(parties, actor_attr), reason="  ")
    assert refused.value.http_status == 400


def test_rejection_reason_is_kept_for_the_applicant(parties):
    case = case_in("submitted", parties)
    services.transfer_reject(case=case, actor=parties.in_reviewer, reason="未在转入地参保")
    case.refresh_from_db()
    assert case.end_reason == "未在转入地参保"
    assert case.stages.get(name=StageName.REVIEW).completed_at is not None


def test_confirm_receipt_with_a_different_amount_is_refused_and_logged(parties):
    case = case_in("funds_remitted", parties)
    with pytest.raises(AmountMismatch) as refused:
        services.transfer_confirm_receipt(
            case=case, actor=parties.in_finance, amount=Decimal("3345.59")
        )
    assert refused.value.http_status == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED
    logged = case.events.get(action="receipt_mismatch")
    assert "3345.59" in logged.note and "3345.60" in logged.note
    assert logged.actor == parties.in_finance
    assert not RightsMovement.objects.filter(status=MovementStatus.RECEIVED).exists()


def test_confirm_receipt_records_the_rights_and_completes(parties):
    case = case_in("funds_remitted", parties)
    services.transfer_confirm_receipt(case=case, actor=parties.in_finance, amount="3345.60")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.completed_at is not None
    rights = RightsMovement.objects.get(reference=case.serial_no)
    assert rights.to_enrollment == case.to_enrollment
    assert rights.status == MovementStatus.RECEIVED
    assert (rights.months, rights.personal_account, rights.pooled_fund) == (
        18,
        Decimal("1000.00"),
        Decimal("2345.60"),
    )
    assert case.remittance.received_by == parties.in_finance
    assert case.current_due_date is None


@pytest.mark.parametrize("amount", ["abc", "-1", "1.234"])
def test_confirm_receipt_rejects_a_malformed_amount(parties, amount):
    case = case_in("funds_remitted", parties)
    with pytest.raises(DomainError) as refused:
        services.transfer_confirm_receipt(case=case, actor=parties.in_finance, amount=amount)
    assert refused.value.http_status == 400


def test_case_events_are_immutable(parties):
    event = case_in("submitted", parties).events.get()
    event.note = "changed"
    with pytest.raises(RuntimeError):
        event.save()


def test_system_steps_do_nothing_outside_their_state(parties):
    case = case_in("submitted", parties)
    assert services.transfer_send_letter(case_id=case.pk) is None
    assert services.transfer_issue_info_sheet(case_id=case.pk) is None
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.events.count() == 1


# ── deadlines ────────────────────────────────────────────────────────────────────────────────


def test_overdue_stages_are_marked_once_and_the_agency_told(
    parties, django_capture_on_commit_callbacks, mailoutbox
):
    from core.models import Notification

    parties.in_reviewer.email = "nj-review@example.cn"
    parties.in_reviewer.save()
    case = case_in("submitted", parties)
    on_time = case_in("submitted", parties)
    later = timezone.localdate() + datetime.timedelta(days=22)
    Stage.objects.filter(case=on_time).update(due_date=later + datetime.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue_stages(today=later) == 1
    stage = case.stages.get(name=StageName.REVIEW)
    assert stage.overdue_marked_at is not None
    assert case.events.filter(action="overdue").count() == 1
    event = case.events.get(action="overdue")
    assert Notification.objects.filter(
        user=parties.in_reviewer, key=f"case-event:{event.pk}:user:{parties.in_reviewer.pk}"
    ).exists()
    # every clerk of the transfer-in agency, nobody at the transfer-out agency
    assert not Notification.objects.filter(user=parties.out_reviewer).exists()
    assert [m.to for m in mailoutbox] == [["nj-review@example.cn"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue_stages(today=later) == 0


def test_queue_sorts_overdue_cases_first(parties):
    from transfers.selectors import queue_for_agency

    fresh = case_in("submitted", parties)
    late = case_in("submitted", parties)
    TransferCase.objects.filter(pk=late.pk).update(
        current_due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    queue = list(queue_for_agency(agency=parties.in_agency, queue="review"))
    assert queue == [late, fresh]
    assert list(queue_for_agency(agency=parties.out_agency, queue="review")) == []


def test_region_fixture_is_the_real_tree(regions):
    assert region("320106").parent_id == "320100"

"""Opening a case: the eligibility rules (DOMAIN.md "When a transfer is refused"), the serial
number, and the submission itself."""

import datetime
import logging
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Insurance, Region
from agencies.selectors import agency_for, clerk_of
from core.errors import NotAllowed
from insured.models import ContributionYear, Enrollment, EnrollmentStatus, InsuredPerson
from transfers.amounts import overlapping_months
from transfers.attachments import validate_attachment
from transfers.models import (
    CATEGORIES_BY_INSURANCE,
    DailySerial,
    TransferCase,
)
from transfers.services.base import (
    PHONE,
    EligibilityError,
    record_event,
    set_running_due_date,
    start_stage,
)
from transfers.workflow import MOVES, OPEN_STATUSES

logger = logging.getLogger(__name__)


def _region(value: Region | str, field_label: str) -> Region:
    if isinstance(value, Region):
        return value
    code = (value or "").strip()
    region = Region.objects.filter(code=code).first() if re.fullmatch(r"\d{6}", code) else None
    if region is None:
        raise EligibilityError(
            _("%(field)s“%(code)s”不是有效的行政区划代码。") % {"field": field_label, "code": code},
            code="invalid_region",
        )
    return region


def _paid_enrollment(*, person, insurance: str, agency: Agency) -> Enrollment | None:
    """The person's enrollment at ``agency`` with months paid that has not moved away yet."""
    return (
        Enrollment.objects.filter(person=person, insurance=insurance, agency=agency)
        .exclude(status__in=[EnrollmentStatus.TRANSFERRED_OUT, EnrollmentStatus.CLOSED])
        .annotate(paid=Sum("years__months_paid"))
        .filter(paid__gt=0)
        .order_by("-start_month")
        .first()
    )


def check_eligibility(
    *, person: InsuredPerson, insurance: str, category: str, from_region: Region, to_region: Region
) -> dict:
    """The rules of DOMAIN.md "When a transfer is refused". Returns what the case needs
    (agencies, enrollments, overlapping months) or raises ``EligibilityError`` with the reason."""
    if insurance not in Insurance.values:
        raise EligibilityError(
            _("险种只能是基本养老保险或基本医疗保险。"), code="invalid_insurance"
        )
    if category not in CATEGORIES_BY_INSURANCE[Insurance(insurance)]:
        raise EligibilityError(
            _("转入类别“%(category)s”不适用于%(insurance)s。")
            % {"category": category, "insurance": Insurance(insurance).label},
            code="invalid_category",
        )
    if from_region.province_code == to_region.province_code:
        raise EligibilityError(
            _(
                "转出地和转入地同在%(province)s，不属于跨省转移接续，按本省规定办理"
                "（各省做法不同，如江苏省省内流动由原参保地封存账户、退休时按申请转移），"
                "请咨询当地社会保险经办机构。"
            )
            % {"province": Region.objects.get(code=to_region.province_code).name},
            code="same_province",
        )
    # 国办发〔2009〕66号: people already drawing a pension do not transfer; retirees are outside
    # the 2021 medical rules (医保办发〔2021〕43号).
    if person.enrollments.filter(insurance=Insurance.PENSION, drawing_benefits=True).exists():
        raise EligibilityError(
            _("您已按月领取基本养老金，不再办理%(insurance)s关系转移接续。")
            % {"insurance": Insurance(insurance).label},
            code="drawing_pension",
        )
    to_agency = agency_for(region=to_region, insurance=insurance)
    if not to_region.online_transfer_enabled:
        where = (
            _("%(name)s（地址：%(address)s，电话：%(phone)s）")
            % {"name": to_agency.name, "address": to_agency.address, "phone": to_agency.phone}
            if to_agency
            else _("转入地社会保险经办机构")
        )
        raise EligibilityError(
            _("转入地%(region)s尚未开通网上转移接续服务，请携带身份证件到%(where)s现场申请。")
            % {"region": to_region.full_name(), "where": where},
            code="offline_region",
        )
    if to_agency is None:
        raise EligibilityError(
            _("转入地%(region)s暂无办理%(insurance)s的经办机构信息。")
            % {"region": to_region.full_name(), "insurance": Insurance(insurance).label},
            code="no_transfer_in_agency",
        )
    from_agency = agency_for(region=from_region, insurance=insurance)
    if from_agency is None:
        raise EligibilityError(
            _("转出地%(region)s暂无办理%(insurance)s的经办机构信息。")
            % {"region": from_region.full_name(), "insurance": Insurance(insurance).label},
            code="no_transfer_out_agency",
        )
    to_enrollment = (
        Enrollment.objects.filter(
            person=person, insurance=insurance, agency=to_agency, status=EnrollmentStatus.ACTIVE
        )
        .order_by("-start_month")
        .first()
    )
    if to_enrollment is None:
        raise EligibilityError(
            _(
                "您还没有在转入地%(region)s（经办机构：%(agency)s）参加%(insurance)s"
                "并正常缴费。请先在新就业地参保缴费，再申请转入。"
            )
            % {
                "region": to_region.full_name(),
                "agency": to_agency.name,
                "insurance": Insurance(insurance).label,
            },
            code="not_enrolled_at_destination",
        )
    from_enrollment = _paid_enrollment(person=person, insurance=insurance, agency=from_agency)
    if from_enrollment is None:
        raise EligibilityError(
            _("转出地（%(agency)s）没有您可转移的%(insurance)s参保缴费记录。")
            % {"agency": from_agency.name, "insurance": Insurance(insurance).label},
            code="no_transfer_out_record",
        )
    open_case = (
        TransferCase.objects.filter(person=person, insurance=insurance, status__in=OPEN_STATUSES)
        .only("serial_no")
        .first()
    )
    if open_case is not None:
        raise EligibilityError(
            _(
                "您已有一笔%(insurance)s转移申请正在办理（流水号 %(serial_no)s），办结前不能再次申请。"
            )
            % {"insurance": Insurance(insurance).label, "serial_no": open_case.serial_no},
            code="open_case_exists",
        )
    # 重复缴费: both places paid the same months. Flagged for the reviewer, not refused.
    overlaps = overlapping_months(
        ContributionYear.objects.filter(enrollment=from_enrollment),
        ContributionYear.objects.filter(enrollment=to_enrollment),
    )
    return {
        "transfer_in_agency": to_agency,
        "transfer_out_agency": from_agency,
        "from_enrollment": from_enrollment,
        "to_enrollment": to_enrollment,
        "overlapping_months": [f"{y:04d}-{m:02d}" for y, m in overlaps],
    }


def next_serial_no(*, day: datetime.date) -> str:
    """The day's next 申报流水号, YYYYMMDD + 8 digits. Call inside the transaction that uses it:
    the counter row stays locked until commit, and a rollback gives the number back."""
    DailySerial.objects.bulk_create([DailySerial(day=day)], ignore_conflicts=True)
    counter = DailySerial.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{day:%Y%m%d}{counter.last:08d}"


def transfer_submit(
    *,
    person: InsuredPerson,
    insurance: str,
    category: str,
    from_region: Region | str,
    to_region: Region | str,
    phone: str,
    hukou_address: str,
    attachment: UploadedFile | None = None,
    actor,
    counter_agency: Agency | None = None,
) -> TransferCase:
    """Before: the person is eligible (``check_eligibility``). After: a submitted case with its
    serial number, the certificate and review stages started, the certificate issued on commit.

    ``counter_agency``: a walk-in application (窗口受理) entered by a clerk of that agency for
    the person, who is at its counter. Same checks, plus: the actor is a clerk of
    ``counter_agency`` and it is the case's transfer-in agency. The submit event names the
    agency and says 窗口受理."""
    if counter_agency is not None:
        clerk = clerk_of(actor)
        if clerk is None or clerk.agency_id != counter_agency.pk:
            raise NotAllowed(_("只有该经办机构的工作人员可以窗口受理申请。"))
    elif actor is None or person.user_id != actor.pk:
        raise NotAllowed(_("只能为本人申请转移接续。"))
    from_region = _region(from_region, _("转出地"))
    to_region = _region(to_region, _("转入地"))
    phone = (phone or "").strip()
    if not PHONE.fullmatch(phone):
        raise EligibilityError(_("请填写有效的手机号码或固定电话。"), code="invalid_phone")
    hukou_address = (hukou_address or "").strip()
    if not hukou_address or len(hukou_address) > 200:
        raise EligibilityError(_("请填写户籍地址（200字以内）。"), code="invalid_hukou_address")
    if attachment is not None:
        validate_attachment(attachment)
    found = check_eligibility(
        person=person,
        insurance=insurance,
        category=category,
        from_region=from_region,
        to_region=to_region,
    )
    if counter_agency is not None and found["transfer_in_agency"].pk != counter_agency.pk:
        raise NotAllowed(
            _("窗口受理的申请须由转入地经办机构受理，该申请的转入地经办机构是%(agency)s。")
            % {"agency": found["transfer_in_agency"].name},
            code="not_transfer_in_agency",
        )
    notes = []
    if counter_agency is not None:
        notes.append(_("窗口受理（%(agency)s）") % {"agency": counter_agency.name})
    if found["overlapping_months"]:
        notes.append(
            _("重复缴费月份：%(months)s") % {"months": "、".join(found["overlapping_months"])}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            case = TransferCase(
                serial_no=next_serial_no(day=timezone.localdate(now)),
                person=person,
                insurance=insurance,
                category=category,
                from_region=from_region,
                to_region=to_region,
                contact_phone=phone,
                hukou_address=hukou_address,
                submitted_at=now,  # before save: the attachment's path uses it
                **found,
            )
            if attachment is not None:
                case.attachment_name = attachment.name[:200]
                case.attachment.save(attachment.name, attachment, save=False)
            case.save(force_insert=True)
            for stage in MOVES["submit"].starts:
                start_stage(case, stage, now=now)
            set_running_due_date(case)
            case.save(update_fields=["current_due_date"])
            record_event(
                case,
                "submit",
                from_status="",
                to_status=case.status,
                actor=actor,
                agency=counter_agency,
                note="；".join(str(note) for note in notes),
            )
    except IntegrityError:
        # The partial unique index (one open case per person and insurance) caught a
        # concurrent submission that passed the check above at the same time.
        raise EligibilityError(
            _("您已有一笔%(insurance)s转移申请正在办理，办结前不能再次申请。")
            % {"insurance": Insurance(insurance).label},
            code="open_case_exists",
        ) from None
    logger.info("Transfer case %s submitted (%s)", case.serial_no, insurance)
    return case

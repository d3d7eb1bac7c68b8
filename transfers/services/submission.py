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
from core.validators import PHONE, PHONE_MESSAGE
from insured.models import (
    AccountKind,
    ContributionYear,
    Enrollment,
    EnrollmentStatus,
    InsuredPerson,
    Sex,
)
from insured.services import temporary_accounts_seal
from transfers.amounts import overlapping_months
from transfers.attachments import display_name, validate_attachment
from transfers.models import (
    BRIDGING_CATEGORIES,
    CATEGORIES_BY_INSURANCE,
    COUNTER_ONLY_CATEGORIES,
    DailySerial,
    TransferApplication,
    TransferCase,
    category_label,
)
from transfers.services.base import (
    EligibilityError,
    plain_text,
    record_event,
    set_running_due_date,
    start_stage,
)
from transfers.services.bridging import bridging_check
from transfers.workflow import MOVES

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


def _counter(agency: Agency | None) -> str:
    """Where to go in person: the agency's name, address and phone when known."""
    if agency is None:
        return _("转入地社会保险经办机构")
    return _("%(name)s（地址：%(address)s，电话：%(phone)s）") % {
        "name": agency.name,
        "address": agency.address,
        "phone": agency.phone,
    }


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


# 国办发〔2009〕66号 art. 8(2): from these ages, a move outside the hukou province opens a
# temporary account instead of moving the relationship.
TEMPORARY_ACCOUNT_AGE = {Sex.MALE: 50, Sex.FEMALE: 40}


def age_on(born: datetime.date, on: datetime.date) -> int:
    """Whole years of age on ``on`` (someone born on 29 February turns a year older on
    1 March in a common year)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def temporary_account_rule_applies(*, person: InsuredPerson, to_region: Region, on) -> bool:
    """66号 art. 8(2): a man aged 50 or more or a woman aged 40 or more on the date of
    application (sex and birth date from the ID number), moving to a province that is not the
    hukou province."""
    if to_region.province_code == person.hukou_region.province_code:
        return False
    return age_on(person.birth_date, on) >= TEMPORARY_ACCOUNT_AGE[person.sex]


def check_eligibility(
    *,
    person: InsuredPerson,
    insurance: str,
    category: str,
    from_region: Region,
    to_region: Region,
    approved_transfer: bool = False,
    on: datetime.date | None = None,
) -> dict:
    """The rules of DOMAIN.md "When a transfer is refused". Returns what the case needs
    (agencies, enrollments, overlapping months) or raises ``EligibilityError`` with the reason.
    ``on`` is the date of application (today); ``approved_transfer``: a transfer approved by a
    personnel department (调动), whose approval the application carries as its attachment."""
    on = on or timezone.localdate()
    if insurance not in Insurance.values:
        raise EligibilityError(
            _("险种只能是基本养老保险或基本医疗保险。"), code="invalid_insurance"
        )
    if category in COUNTER_ONLY_CATEGORIES[Insurance(insurance)]:
        to_agency = agency_for(region=to_region, insurance=insurance)
        raise EligibilityError(
            _(
                "“%(category)s”的转移资金由军队转出，本平台暂不受理网上申请。请携带本人身份证件"
                "和军队出具的转移接续材料（如《军人退役基本养老保险关系转移接续信息表》），"
                "到%(where)s现场办理。"
            )
            % {"category": category_label(insurance, category), "where": _counter(to_agency)},
            code="counter_only_category",
        )
    if category not in CATEGORIES_BY_INSURANCE[Insurance(insurance)]:
        raise EligibilityError(
            _("转入类别“%(category)s”不适用于%(insurance)s。")
            % {"category": category, "insurance": Insurance(insurance).label},
            code="invalid_category",
        )
    # Pension: a move inside one province is no cross-province transfer (国办发〔2009〕66号);
    # provincial rules apply. Medical: 医保办发〔2021〕43号 covers every move between pooling
    # regions (跨统筹地区), inside a province too; only the same pooling region is refused below.
    if insurance == Insurance.PENSION and from_region.province_code == to_region.province_code:
        raise EligibilityError(
            _(
                "转出地和转入地同在%(province)s，基本养老保险不属于跨省转移接续，按本省规定办理，"
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
        raise EligibilityError(
            _("转入地%(region)s尚未开通网上转移接续服务，请携带身份证件到%(where)s现场申请。")
            % {"region": to_region.full_name(), "where": _counter(to_agency)},
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
    # 尚未在转入地参保缴费的，不能受理: enrolled is not enough, one month must have been paid.
    paid_here = (
        ContributionYear.objects.filter(enrollment=to_enrollment).aggregate(
            paid=Sum("months_paid")
        )["paid"]
        or 0
    )
    if paid_here < 1:
        raise EligibilityError(
            _(
                "您已在转入地%(region)s（经办机构：%(agency)s）办理%(insurance)s参保登记，"
                "但还没有实际缴费的月份。尚未在转入地参保缴费的，不能受理："
                "请在转入地至少实际缴费一个月后再申请转入。"
            )
            % {
                "region": to_region.full_name(),
                "agency": to_agency.name,
                "insurance": Insurance(insurance).label,
            },
            code="not_paying_at_destination",
        )
    if from_agency == to_agency:
        # Only medical gets here inside one province (pension was refused above).
        raise EligibilityError(
            _(
                "转出地%(from)s和转入地%(to)s属于同一统筹区（经办机构：%(agency)s），"
                "%(insurance)s关系不需要转移接续。"
            )
            % {
                "from": from_region.full_name(),
                "to": to_region.full_name(),
                "agency": to_agency.name,
                "insurance": Insurance(insurance).label,
            },
            code="same_pooling_region",
        )
    from_enrollment = _paid_enrollment(person=person, insurance=insurance, agency=from_agency)
    if from_enrollment is None:
        raise EligibilityError(
            _("转出地（%(agency)s）没有您可转移的%(insurance)s参保缴费记录。")
            % {"agency": from_agency.name, "insurance": Insurance(insurance).label},
            code="no_transfer_out_record",
        )
    if insurance == Insurance.PENSION:
        _check_temporary_accounts(
            person=person,
            from_enrollment=from_enrollment,
            to_enrollment=to_enrollment,
            to_region=to_region,
            to_agency=to_agency,
            approved_transfer=approved_transfer,
            on=on,
        )
    # 同一险种只能有一笔在途申请: one open application (its cases may be open together).
    open_case = (
        TransferCase.objects.filter(person=person, insurance=insurance, application__is_open=True)
        .only("serial_no", "application__number")
        .select_related("application")
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


def _check_temporary_accounts(
    *,
    person: InsuredPerson,
    from_enrollment: Enrollment,
    to_enrollment: Enrollment,
    to_region: Region,
    to_agency: Agency,
    approved_transfer: bool,
    on: datetime.date,
) -> None:
    """66号 art. 8(2) and DOMAIN.md "Temporary accounts and the 50/40 rule": a temporary
    account is never moved on, a relationship is never moved into one, and from 50 (men) or
    40 (women) a move outside the hukou province keeps the relationship where it is."""
    if from_enrollment.account_kind == AccountKind.TEMPORARY:
        raise EligibilityError(
            _(
                "您在转出地（%(agency)s）建立的是临时基本养老保险缴费账户，临时缴费账户不转移到"
                "新的就业地：您离开时该账户封存，其中的缴费和缴费年限保留在原地；"
                "办理退休时，由待遇领取地经办机构统一归集。"
            )
            % {"agency": from_enrollment.agency.name},
            code="temporary_account_stays",
        )
    if to_enrollment.account_kind == AccountKind.TEMPORARY:
        raise EligibilityError(
            _(
                "您在转入地（%(agency)s）建立的是临时基本养老保险缴费账户，基本养老保险关系"
                "不转入临时缴费账户，仍保留在原参保地；办理退休时，由待遇领取地经办机构统一归集。"
            )
            % {"agency": to_agency.name},
            code="into_temporary_account",
        )
    if approved_transfer or not temporary_account_rule_applies(
        person=person, to_region=to_region, on=on
    ):
        return
    hukou_province = Region.objects.get(code=person.hukou_region.province_code)
    raise EligibilityError(
        _(
            "您申请之日已满%(age)d周岁（%(sex)s），转入地%(region)s不是您的户籍所在省"
            "（%(hukou)s）。按照国办发〔2009〕66号第八条第二款，基本养老保险关系不转移，"
            "仍保留在原参保地；转入地经办机构为您建立临时基本养老保险缴费账户，您在转入地的"
            "缴费记入该账户。办理退休时，由待遇领取地经办机构将各临时缴费账户统一归集。"
            "经组织人事部门批准调动的，可以转移：请勾选“经批准调动”，并上传调动批准材料。"
        )
        % {
            "age": TEMPORARY_ACCOUNT_AGE[person.sex],
            "sex": person.get_sex_display(),
            "region": to_region.full_name(),
            "hukou": hukou_province.name,
        },
        code="temporary_account_rule",
    )


def next_serial_no(*, day: datetime.date) -> str:
    """The day's next 申报流水号, YYYYMMDD + 8 digits. Call inside the transaction that uses it:
    the counter row stays locked until commit, and a rollback gives the number back."""
    DailySerial.objects.bulk_create([DailySerial(day=day)], ignore_conflicts=True)
    counter = DailySerial.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{day:%Y%m%d}{counter.last:08d}"


# How many transfer-out places one application may name.
MAX_PLACES = 10


def _places(from_regions) -> list[Region]:
    values = list(from_regions or [])
    if not values:
        raise EligibilityError(_("请至少填写一个转出地。"), code="invalid_region")
    if len(values) > MAX_PLACES:
        raise EligibilityError(
            _("一次申请最多填写%(max)d个转出地。") % {"max": MAX_PLACES}, code="too_many_places"
        )
    return [_region(value, _("转出地")) for value in values]


def _check_places(
    *,
    person,
    insurance: str,
    category: str,
    places: list[Region],
    to_region: Region,
    approved_transfer: bool,
) -> list[tuple[Region, dict]]:
    """Eligibility of every transfer-out place, all or nothing: the first refusal is raised,
    naming the place when the application has several."""
    checked: list[tuple[Region, dict]] = []
    seen: dict[int, Region] = {}
    for place in places:
        try:
            found = check_eligibility(
                person=person,
                insurance=insurance,
                category=category,
                from_region=place,
                to_region=to_region,
                approved_transfer=approved_transfer,
            )
        except EligibilityError as exc:
            if len(places) == 1:
                raise
            raise EligibilityError(
                _("转出地%(region)s：%(reason)s")
                % {"region": place.full_name(), "reason": exc.message},
                code=exc.code,
            ) from None
        agency = found["transfer_out_agency"]
        if agency.pk in seen:
            raise EligibilityError(
                _(
                    "转出地%(region)s和%(other)s属于同一经办机构（%(agency)s），"
                    "同一转出地只需填写一次。"
                )
                % {
                    "region": place.full_name(),
                    "other": seen[agency.pk].full_name(),
                    "agency": agency.name,
                },
                code="duplicate_place",
            )
        seen[agency.pk] = place
        checked.append((place, found))
    return checked


def _submit_note(place: Region, found: dict, checked: list[tuple[Region, dict]]) -> str:
    """重复缴费 for the reviewer: months paid at this place and at the transfer-in place, and
    months paid here and at another transfer-out place of the same application."""
    lines = []
    if found["overlapping_months"]:
        lines.append(
            _("重复缴费月份：%(months)s") % {"months": "、".join(found["overlapping_months"])}
        )
    for other, other_found in checked:
        if other == place:
            continue
        both = overlapping_months(
            ContributionYear.objects.filter(enrollment=found["from_enrollment"]),
            ContributionYear.objects.filter(enrollment=other_found["from_enrollment"]),
        )
        if both:
            lines.append(
                _("与转出地%(region)s重复缴费月份：%(months)s")
                % {
                    "region": other.full_name(),
                    "months": "、".join(f"{y:04d}-{m:02d}" for y, m in both),
                }
            )
    return "；".join(lines)


def application_submit(
    *,
    person: InsuredPerson,
    insurance: str,
    category: str,
    from_regions: list[Region | str],
    to_region: Region | str,
    phone: str,
    hukou_address: str,
    attachment: UploadedFile | None = None,
    approved_transfer: bool = False,
    actor,
    counter_agency: Agency | None = None,
) -> TransferApplication:
    """Before: the person is eligible for every named transfer-out place
    (``check_eligibility`` each). After: one open application and one submitted case per
    place, each with its serial number, certificate and review stages (issue 9 item 9), all in
    one transaction: a refusal for one place creates nothing. The application's number is its
    first case's serial number.

    ``counter_agency``: a walk-in application (窗口受理) entered by a clerk of that agency for
    the person, who is at its counter. Same checks, plus: the actor is a clerk of
    ``counter_agency`` and it is the cases' transfer-in agency. The submit events say 窗口受理."""
    if counter_agency is not None:
        clerk = clerk_of(actor)
        if clerk is None or clerk.agency_id != counter_agency.pk:
            raise NotAllowed(_("只有该经办机构的工作人员可以窗口受理申请。"))
    elif actor is None or person.user_id != actor.pk:
        raise NotAllowed(_("只能为本人申请转移接续。"))
    places = _places(from_regions)
    to_region = _region(to_region, _("转入地"))
    phone = (phone or "").strip()
    if not PHONE.fullmatch(phone):
        raise EligibilityError(PHONE_MESSAGE, code="invalid_phone")
    hukou_address = (hukou_address or "").strip()
    if not hukou_address or len(hukou_address) > 200:
        raise EligibilityError(_("请填写户籍地址（200字以内）。"), code="invalid_hukou_address")
    plain_text(hukou_address)
    kind = validate_attachment(attachment) if attachment is not None else None
    if approved_transfer and attachment is None:
        raise EligibilityError(
            _("经批准调动的，请上传组织人事部门的调动批准材料作为附件。"),
            code="approval_attachment_required",
        )
    if category in BRIDGING_CATEGORIES:
        # 城乡制度衔接: one pension case between the two schemes (人社部发〔2014〕17号).
        if insurance != Insurance.PENSION or len(places) != 1:
            raise EligibilityError(
                _("城乡养老保险制度衔接的险种为基本养老保险（pension），且只填写一个转出地。"),
                code="invalid_category",
            )
        found = bridging_check(
            person=person,
            category=category,
            from_region=places[0],
            to_region=to_region,
            on=timezone.localdate(),
        )
        checked = [(places[0], found)]
    else:
        checked = _check_places(
            person=person,
            insurance=insurance,
            category=category,
            places=places,
            to_region=to_region,
            approved_transfer=approved_transfer,
        )
    if counter_agency is not None:
        for _place, found in checked:
            if found["transfer_in_agency"].pk != counter_agency.pk:
                raise NotAllowed(
                    _("窗口受理的申请须由转入地经办机构受理，该申请的转入地经办机构是%(agency)s。")
                    % {"agency": found["transfer_in_agency"].name},
                    code="not_transfer_in_agency",
                )
    now = timezone.now()
    try:
        with transaction.atomic():
            if insurance == Insurance.PENSION:
                # The person has moved on: temporary accounts left behind are sealed.
                temporary_accounts_seal(person=person, on=timezone.localdate(now))
            serials = [next_serial_no(day=timezone.localdate(now)) for _place in checked]
            application = TransferApplication.objects.create(
                number=serials[0], person=person, insurance=insurance, submitted_at=now
            )
            attachment_path = ""
            for serial_no, (place, found) in zip(serials, checked, strict=True):
                case = TransferCase(
                    serial_no=serial_no,
                    application=application,
                    person=person,
                    insurance=insurance,
                    category=category,
                    from_region=place,
                    to_region=to_region,
                    contact_phone=phone,
                    hukou_address=hukou_address,
                    approved_transfer=approved_transfer,
                    submitted_at=now,  # before save: the attachment's path uses it
                    **found,
                )
                if attachment is not None:
                    # One file for the application: stored once, shared by its cases.
                    case.attachment_name = display_name(attachment.name)
                    if attachment_path:
                        case.attachment.name = attachment_path
                    else:
                        case.attachment.save(f"attachment.{kind}", attachment, save=False)
                        attachment_path = case.attachment.name
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
                    note="；".join(
                        part
                        for part in (
                            _("窗口受理（%(agency)s）") % {"agency": counter_agency.name}
                            if counter_agency is not None
                            else "",
                            _submit_note(place, found, checked),
                        )
                        if part
                    ),
                )
    except IntegrityError:
        # The partial unique index (one open application per person and insurance) caught a
        # concurrent submission that passed the check above at the same time.
        raise EligibilityError(
            _("您已有一笔%(insurance)s转移申请正在办理，办结前不能再次申请。")
            % {"insurance": Insurance(insurance).label},
            code="open_case_exists",
        ) from None
    logger.info(
        "Transfer application %s submitted (%s, %d places)",
        application.number,
        insurance,
        len(checked),
    )
    return application


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
    approved_transfer: bool = False,
    actor,
    counter_agency: Agency | None = None,
) -> TransferCase:
    """One transfer-out place: ``application_submit`` with that place; returns its case."""
    application = application_submit(
        person=person,
        insurance=insurance,
        category=category,
        from_regions=[from_region],
        to_region=to_region,
        phone=phone,
        hukou_address=hukou_address,
        attachment=attachment,
        approved_transfer=approved_transfer,
        actor=actor,
        counter_agency=counter_agency,
    )
    return application.cases.get()

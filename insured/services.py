"""Writes to the registry of insured persons: registration and password reset by an SMS code
sent to the phone already on file."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.accounts import password_set
from core.codes import CODE_INVALID, code_issue, code_use
from core.models import CodePurpose
from core.sms import mask_phone
from insured import idnumbers
from insured.models import AccountKind, DisplayMode, Enrollment, EnrollmentStatus, InsuredPerson

# Step 1 of registration and of password reset answers this, whatever the registry holds, so
# that neither can be used to find out who is in the registry or who has a login.
REGISTRATION_SENT = _(
    "如信息匹配，验证码已发送至您在参保地登记的手机，10分钟内有效。"
    "未收到的，请稍后重试，或持本人身份证件到参保地经办机构核对登记的手机号码。"
)
RESET_SENT = _(
    "如该身份证号码已注册，验证码已发送至您在参保地登记的手机，10分钟内有效。"
    "未收到的，请持本人身份证件到参保地经办机构办理。"
)
ALREADY_REGISTERED = _("该身份证号码已注册，请直接登录。")
# A mainland mobile number: the only kind an SMS code can reach.
MOBILE = re.compile(r"1[3-9]\d{9}")

REGISTRATION_SMS = _("【社保服务平台】您的注册验证码为{code}，{minutes}分钟内有效。请勿告诉他人。")
RESET_SMS = _("【社保服务平台】您正在找回密码，验证码为{code}，{minutes}分钟内有效。请勿告诉他人。")


def _id_number_or_error(id_number: str, errors: dict) -> str:
    id_number = idnumbers.normalize(id_number)
    try:
        idnumbers.validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.error_list
    return id_number


def _password_errors(password: str, *, username: str, errors: dict) -> None:
    User = get_user_model()
    try:
        validate_password(password, user=User(username=username))
    except ValidationError as exc:
        errors["password"] = exc.error_list


def registration_start(*, id_number: str, name: str) -> str | None:
    """Step 1: when ID number and name match a registry person without a login who has a
    mobile number on file, send a registration code to that number and return it masked;
    otherwise return None. The phone on file is never changed here. Raises ValidationError
    by field only for malformed input (a bad check character, an empty name)."""
    errors: dict = {}
    id_number = _id_number_or_error(id_number, errors)
    name = (name or "").strip()
    if not name:
        errors["name"] = [ValidationError(_("请输入姓名。"), code="required")]
    if errors:
        raise ValidationError(errors)
    person = InsuredPerson.objects.filter(id_number=id_number, name=name, user__isnull=True).first()
    if person is None or not MOBILE.fullmatch(person.phone or ""):
        return None
    if get_user_model().objects.filter(username=id_number).exists():
        return None
    code_issue(
        purpose=CodePurpose.REGISTER,
        subject=id_number,
        phone=person.phone,
        message=REGISTRATION_SMS,
    )
    return mask_phone(person.phone)


def registration_confirm(*, id_number: str, code: str, password: str):
    """Step 2: the code sent in step 1 and a password create the login (username = ID
    number) and link it to the person. Raises ValidationError by field. The code is checked
    (and a wrong one counted) before anything is written; the person row is then locked so
    that two registrations for one person cannot both succeed."""
    errors: dict = {}
    id_number = _id_number_or_error(id_number, errors)
    if not (code or "").strip():
        errors["code"] = [ValidationError(_("请输入短信验证码。"), code="required")]
    _password_errors(password, username=id_number, errors=errors)
    if errors:
        raise ValidationError(errors)
    code_use(purpose=CodePurpose.REGISTER, subject=id_number, code=code)
    User = get_user_model()
    with transaction.atomic():
        person = InsuredPerson.objects.select_for_update().filter(id_number=id_number).first()
        if person is None:
            raise ValidationError({"code": ValidationError(CODE_INVALID, code="invalid")})
        if person.user_id is not None or User.objects.filter(username=id_number).exists():
            raise ValidationError(
                {"id_number": ValidationError(ALREADY_REGISTERED, code="registered")}
            )
        user = User(username=id_number, first_name=person.name[:150])
        user.set_password(password)
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    return user


def password_reset_start(*, id_number: str) -> None:
    """Step 1 of a reset: when the ID number has a login and a mobile number on file, send a
    reset code there. Says nothing either way. Raises ValidationError for a malformed ID."""
    errors: dict = {}
    id_number = _id_number_or_error(id_number, errors)
    if errors:
        raise ValidationError(errors)
    person = InsuredPerson.objects.filter(id_number=id_number, user__isnull=False).first()
    if person is None or not MOBILE.fullmatch(person.phone or ""):
        return
    code_issue(purpose=CodePurpose.RESET, subject=id_number, phone=person.phone, message=RESET_SMS)


def password_reset_confirm(*, id_number: str, code: str, password: str):
    """Step 2: the reset code and a new password set the password; every API token of the
    user is revoked and their sessions end. Raises ValidationError by field."""
    errors: dict = {}
    id_number = _id_number_or_error(id_number, errors)
    if not (code or "").strip():
        errors["code"] = [ValidationError(_("请输入短信验证码。"), code="required")]
    _password_errors(password, username=id_number, errors=errors)
    if errors:
        raise ValidationError(errors)
    code_use(purpose=CodePurpose.RESET, subject=id_number, code=code)
    person = (
        InsuredPerson.objects.select_related("user")
        .filter(id_number=id_number, user__isnull=False)
        .first()
    )
    if person is None:
        raise ValidationError({"code": ValidationError(CODE_INVALID, code="invalid")})
    password_set(user=person.user, password=password)
    return person.user


def person_set_display_mode(*, person: InsuredPerson, mode: str) -> None:
    """Before: ``mode`` is one of ``DisplayMode``. After: the person's pages use it on every
    device they log in on (the cookie alone would stay on one browser)."""
    if mode not in DisplayMode.values:
        raise ValidationError({"mode": _("不支持的显示模式。")})
    InsuredPerson.objects.filter(pk=person.pk).update(display_mode=mode)
    person.display_mode = mode


def temporary_accounts_seal(*, person: InsuredPerson, on) -> list[Enrollment]:
    """国办发〔2009〕66号 art. 8(2): a temporary account (临时基本养老保险缴费账户) is sealed (封存)
    when the person moves on, i.e. once a later pension enrollment exists at another agency, or
    when it is collected. Its money and months stay, with their history; only ``sealed_at`` is
    set and a still-active account stops being active. Returns the accounts sealed now;
    sealing twice changes nothing. Call it when a pension enrollment is opened elsewhere."""
    enrollments = list(
        Enrollment.objects.select_for_update()
        .filter(person=person, insurance="pension")
        .order_by("start_month", "id")
    )
    sealed = []
    for account in enrollments:
        if account.account_kind != AccountKind.TEMPORARY or account.sealed_at is not None:
            continue
        moved_on = any(
            other.agency_id != account.agency_id and other.start_month > account.start_month
            for other in enrollments
        )
        if not moved_on:
            continue
        account.sealed_at = on
        fields = ["sealed_at"]
        if account.status == EnrollmentStatus.ACTIVE:
            account.status = EnrollmentStatus.INTERRUPTED
            fields.append("status")
        account.save(update_fields=fields)
        sealed.append(account)
    return sealed

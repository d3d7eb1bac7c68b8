"""Writes to the registry of insured persons."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from insured import idnumbers
from insured.models import DisplayMode, InsuredPerson

# One message for "unknown ID" and "name does not match", so that the form cannot be used to
# find out whether an ID number is in the registry.
NO_MATCH = _("身份证号码与姓名不匹配或未参保。")
ALREADY_REGISTERED = _("该身份证号码已注册，请直接登录。")
# A mainland mobile number, or a landline with its area code.
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def person_register_login(*, id_number: str, name: str, phone: str, password: str):
    """Real-name registration: the ID number and name must match a registry person who has no
    login yet. Creates the login (username = ID number), links it, records the phone.

    Raises ValidationError keyed by field. Atomic; the person row is locked so that two
    concurrent registrations for one person cannot both succeed."""
    id_number = idnumbers.normalize(id_number)
    name = (name or "").strip()
    phone = (phone or "").strip()
    User = get_user_model()
    errors: dict[str, list[ValidationError]] = {}
    try:
        idnumbers.validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.error_list
    if not name:
        errors["name"] = [ValidationError(_("请输入姓名。"), code="required")]
    if not PHONE.fullmatch(phone):
        errors["phone"] = [ValidationError(_("请输入有效的手机号码或固定电话。"), code="phone")]
    try:
        validate_password(password, user=User(username=id_number, first_name=name[:150]))
    except ValidationError as exc:
        errors["password"] = exc.error_list
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        person = (
            InsuredPerson.objects.select_for_update().filter(id_number=id_number, name=name).first()
        )
        if person is None:
            raise ValidationError({"id_number": ValidationError(NO_MATCH, code="no_match")})
        if person.user_id is not None or User.objects.filter(username=id_number).exists():
            raise ValidationError(
                {"id_number": ValidationError(ALREADY_REGISTERED, code="registered")}
            )
        user = User(username=id_number, first_name=name[:150])
        user.set_password(password)
        user.save()
        person.user = user
        person.phone = phone
        person.save(update_fields=["user", "phone"])
    return user


def person_set_display_mode(*, person: InsuredPerson, mode: str) -> None:
    """Before: ``mode`` is one of ``DisplayMode``. After: the person's pages use it on every
    device they log in on (the cookie alone would stay on one browser)."""
    if mode not in DisplayMode.values:
        raise ValidationError({"mode": _("不支持的显示模式。")})
    InsuredPerson.objects.filter(pk=person.pk).update(display_mode=mode)
    person.display_mode = mode

"""Password changes. Every one revokes the user's API tokens; Django's session auth hash
already ends the user's other sessions (the current one is kept by the page)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.tokens import tokens_revoke_all

WRONG_OLD_PASSWORD = _("原密码不正确。")


def password_set(*, user, password: str) -> None:
    """Validate and set ``password``; revokes every API token of the user. Raises
    ValidationError keyed ``password``."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        tokens_revoke_all(user=user)


def password_change(*, user, old_password: str, new_password: str) -> None:
    """The logged-in user changes their password: the old one must be right. Errors are
    keyed ``old_password`` and ``new_password``."""
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": ValidationError(WRONG_OLD_PASSWORD, code="wrong")})
    try:
        password_set(user=user, password=new_password)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.error_dict["password"]}) from None

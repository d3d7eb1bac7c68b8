"""Forms of the insured person's pages. They parse input; the rules are in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import passwords_must_match
from insured import idnumbers


def id_number_field():
    return forms.CharField(
        label=_("公民身份号码"),
        max_length=18,
        help_text=_("18位，最后一位可能是X。"),
        # The same check as the service makes, so that it shows with the other field errors.
        validators=[idnumbers.validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )


class RegistrationForm(forms.Form):
    """Step 1: who you are. The code goes to the phone already on file."""

    id_number = id_number_field()
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("与身份证上的姓名一致。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_id_number(self):
        return idnumbers.normalize(self.cleaned_data["id_number"])


class PasswordResetForm(forms.Form):
    id_number = id_number_field()

    def clean_id_number(self):
        return idnumbers.normalize(self.cleaned_data["id_number"])


class CodePasswordForm(forms.Form):
    """Step 2 of registration and of password reset: the SMS code and the new password."""

    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        help_text=_("6位数字，10分钟内有效。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("设置密码"),
        max_length=128,
        strip=False,
        help_text=_("至少8位，不能全是数字，不能与身份证号码相似。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("确认密码"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        passwords_must_match(self, data, "password", "password_confirm")
        return data

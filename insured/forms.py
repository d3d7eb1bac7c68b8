"""Forms of the insured person's pages. They parse input; the rules are in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from insured import idnumbers


class RegistrationForm(forms.Form):
    id_number = forms.CharField(
        label=_("公民身份号码"),
        max_length=18,
        help_text=_("18位，最后一位可能是X。"),
        # The same check as the service makes, so that it shows with the other field errors.
        validators=[idnumbers.validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("与身份证上的姓名一致。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("密码"),
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
        if (
            data.get("password")
            and data.get("password_confirm")
            and data["password"] != data["password_confirm"]
        ):
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        return data

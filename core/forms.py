from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Insured persons log in with their citizen ID number (社会保障号码), clerks with their
    user name; a lowercase check character ``x`` is accepted for the ID's ``X``."""

    username = forms.CharField(
        label=_("身份证号码或用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        help_text=_("参保人请输入18位公民身份号码；经办人员请输入工作账号。"),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("身份证号码（用户名）或密码不正确。请注意密码区分大小写。"),
        "inactive": _("该账号已停用，请联系经办机构。"),
    }

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if len(username) == 18 and username[:17].isdigit():
            username = username.upper()
        return username


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"),
        max_length=128,
        strip=False,
        help_text=_("至少8位，不能全是数字，不能与用户名相似。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_confirm = forms.CharField(
        label=_("确认新密码"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        passwords_must_match(self, data, "new_password", "new_password_confirm")
        return data


def passwords_must_match(form, data: dict, field: str, confirm_field: str) -> None:
    """The same password typed twice, or an error on the confirmation field."""
    if data.get(field) and data.get(confirm_field) and data[field] != data[confirm_field]:
        form.add_error(confirm_field, _("两次输入的密码不一致。"))

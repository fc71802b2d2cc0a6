from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续失败 5 次，账号将锁定 15 分钟。"),
        "inactive": _("该账号已停用。"),
    }


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("动态验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("请输入 6 位数字验证码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("当前密码"), max_length=128, strip=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=_("新密码"), max_length=128, strip=False, widget=forms.PasswordInput
    )
    confirm = forms.CharField(
        label=_("再次输入新密码"), max_length=128, strip=False, widget=forms.PasswordInput
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)


class RoleAssignForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    division_code = forms.CharField(label=_("区划代码"), max_length=15, required=False)
    unit_id = forms.IntegerField(label=_("单位编号"), required=False)

    def __init__(self, *args, roles: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [(r, Role(r).label) for r in roles]

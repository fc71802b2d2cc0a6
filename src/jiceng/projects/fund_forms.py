"""The forms of the funds' pages (CONVENTIONS "Form input"): they parse and bound what a POST
carries; the services in ``funds`` decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import DayField, VisibleField
from jiceng.core.scope import district_of
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.projects.fund_selectors import KEEPER_ROLES, allocatable_projects
from jiceng.projects.models import FundKind

MONEY = {"max_digits": 14, "decimal_places": 2}


def keeper_places(user):
    scopes = user.scopes_for(*KEEPER_ROLES)
    if not scopes:
        return Division.objects.none()
    return Division.objects.within(*scopes).exclude(level="grid").order_by("code")


def _select(field, rows, label=lambda r: str(r), blank=False):
    choices = [(r.pk, label(r)) for r in rows]
    field.widget = forms.Select(choices=([("", "—")] if blank else []) + choices)


class LineForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("资金类型"), queryset=FundKind.objects.none())
    place = VisibleField(label=_("所属地区"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("核定金额（元）"), min_value=0, **MONEY)
    unit = VisibleField(label=_("出资单位"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = FundKind.objects.filter(is_active=True)
        places = keeper_places(user)
        self.fields["place"].queryset = places
        _select(self.fields["place"], places[:500], lambda d: d.name)
        self.fields["place"].widget.attrs["data-search"] = ""
        districts = {district_of(code) for code in user.scopes_for(*KEEPER_ROLES)}
        units = Partner.objects.within(*districts).order_by("name")
        self.fields["unit"].queryset = units
        _select(self.fields["unit"], units[:500], lambda p: p.name, blank=True)


class AllocationForm(forms.Form):
    project = VisibleField(label=_("项目"))
    amount = forms.DecimalField(label=_("安排金额（元）"), min_value=0, **MONEY)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user, line, **kwargs):
        super().__init__(*args, **kwargs)
        projects = allocatable_projects(user).within(line.scope_code).filter(year=line.year)
        self.fields["project"].queryset = projects
        # offered: the projects without an allocation from this line yet (a second one is
        # refused with its message; the first is revised instead)
        fresh = projects.exclude(allocations__line=line).order_by("title")[:500]
        _select(self.fields["project"], fresh, lambda p: p.title)


class ReviseForm(forms.Form):
    amount = forms.DecimalField(label=_("调整后金额（元）"), min_value=0, **MONEY)
    note = forms.CharField(label=_("调整原因"), max_length=200)


class SpendingForm(forms.Form):
    amount = forms.DecimalField(label=_("金额（元）"), **MONEY)
    spent_on = DayField(label=_("支出日期"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    payee = forms.CharField(label=_("收款方"), max_length=100)
    voucher = forms.FileField(
        label=_("凭证（照片或 PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class DecideForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)

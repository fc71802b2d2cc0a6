"""Forms of the party pages: they parse; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import VisibleField
from jiceng.party.models import MeetingKind, Member

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MeetingForm(forms.Form):
    org = forms.TypedChoiceField(label=_("党组织"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("主题"), max_length=100)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    agenda = forms.CharField(
        label=_("议程"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议记录"), widget=forms.Textarea(attrs={"rows": 6}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class AttendanceForm(forms.Form):
    member = VisibleField(
        label=_("党员"),
        message=_("党员不存在，或不在您的管辖范围内。"),
        widget=forms.HiddenInput,
    )
    present = forms.BooleanField(required=False)
    # Empty for a presence; a leave without one is the service's to refuse, in its words.
    reason = forms.CharField(label=_("请假事由"), max_length=200, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class DuesPaymentForm(forms.Form):
    """One click on the dues page: the member whose payment for the page's month is recorded
    (the month and the branch are the page's, read with it)."""

    member = VisibleField(
        label=_("党员"),
        message=_("党员不存在，或不在您的管辖范围内。"),
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class DuesForm(forms.Form):
    month = forms.DateField(label=_("月份"), input_formats=["%Y-%m"], widget=MONTH)
    amount = forms.DecimalField(
        label=_("实交金额（元）"), max_digits=10, decimal_places=2, min_value=0, required=False
    )


class IncomeForm(forms.Form):
    income_kind = forms.ChoiceField(label=_("收入类别"), choices=Member.IncomeKind.choices)
    dues_base = forms.DecimalField(
        label=_("党费计算基数（元/月）"), max_digits=10, decimal_places=2, min_value=0
    )


class TransferForm(forms.Form):
    to_org = forms.TypedChoiceField(label=_("转入党组织"), coerce=int)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = [(o.pk, o.name) for o in orgs]


class LeadHouseholdForm(forms.Form):
    grid = VisibleField(label=_("网格"), message=_("网格不存在，或不在您的管辖范围内。"))
    address = forms.CharField(label=_("住址"), max_length=200, required=False)

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class SeatForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    title = forms.CharField(label=_("职务"), max_length=64)
    partner = VisibleField(label=_("来自单位"), required=False)
    part_time = forms.BooleanField(label=_("兼职委员"), required=False)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class LeadLinkForm(forms.Form):
    lead = VisibleField(label=_("中心户"))
    member = VisibleField(label=_("联系党员"), message=_("党员不存在，或不在您的管辖范围内。"))

    def __init__(self, *args, leads=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads
        self.fields["member"].queryset = members


class LinkedHouseholdForm(forms.Form):
    link = VisibleField(label=_("联系党员"))
    name = forms.CharField(label=_("户主"), max_length=64)
    address = forms.CharField(label=_("地址"), max_length=200)

    def __init__(self, *args, links=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = links


class RegistrationForm(forms.Form):
    community = forms.TypedChoiceField(label=_("居住地社区"), coerce=int)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("请选择"))] + [
            (c.pk, f"{c.parent.name if c.parent_id else ''} · {c.name}") for c in communities
        ]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    org = forms.TypedChoiceField(label=_("所在党组织"), coerce=int)
    management_type = forms.ChoiceField(label=_("管理类型"), choices=Member.ManagementType.choices)
    standing = forms.ChoiceField(label=_("党员类别"), choices=Member.Standing.choices)
    joined_at = forms.DateField(label=_("入党日期"), widget=forms.DateInput(attrs={"type": "date"}))
    work_unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    income_kind = forms.ChoiceField(label=_("收入类别"), choices=Member.IncomeKind.choices)
    dues_base = forms.DecimalField(
        label=_("党费计算基数（元/月）"), max_digits=10, decimal_places=2, min_value=0, initial=0
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]


class OrgRegistrationForm(forms.Form):
    org = forms.TypedChoiceField(label=_("单位党组织"), coerce=int)
    community = forms.TypedChoiceField(label=_("报到社区"), coerce=int)

    def __init__(self, *args, orgs=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["community"].choices = [("", _("请选择"))] + [
            (c.pk, f"{c.parent.name if c.parent_id else ''} · {c.name}") for c in communities
        ]


class LearningImportForm(forms.Form):
    file = forms.FileField(label=_("学习记录（Excel）"))


class RegistrationDecisionForm(forms.Form):
    """Passing or returning a registration; the service asks for the reason of a return."""

    approve = forms.TypedChoiceField(
        label=_("审核"), choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

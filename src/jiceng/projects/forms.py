"""Forms of the project pages: they parse and bound; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.community.forms import VisibleRecordsField
from jiceng.core.forms import DayField, VisibleField
from jiceng.projects.models import Commitment, Health

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
TEXT = forms.Textarea(attrs={"rows": 3})


def _choices(field, rows, label=lambda r: str(r), empty=None):
    field.queryset = rows
    field.widget.choices = ([("", empty)] if empty else []) + [(r.pk, label(r)) for r in rows]


class ProjectForm(forms.Form):
    kind = VisibleField(label=_("项目类型"), widget=forms.Select)
    place = VisibleField(label=_("所属地区"), widget=forms.Select)
    parent = VisibleField(label=_("上级项目"), widget=forms.Select, required=False)
    weight = forms.DecimalField(
        label=_("权重"), max_digits=7, decimal_places=2, min_value=0, initial=1
    )
    title = forms.CharField(label=_("名称"), max_length=100)
    summary = forms.CharField(label=_("简介"), widget=TEXT, required=False, max_length=2000)
    owner = forms.CharField(label=_("负责人账号（空着为本人）"), max_length=150, required=False)
    unit = VisibleField(label=_("责任单位"), widget=forms.Select, required=False)
    starts_on = DayField(label=_("开始日期"), widget=DATE)
    ends_on = DayField(label=_("完成期限"), widget=DATE)
    roadmap = forms.CharField(label=_("路线图"), widget=TEXT, required=False, max_length=4000)
    site = forms.CharField(label=_("建设地点"), max_length=200, required=False)
    area = forms.DecimalField(
        label=_("建设面积(平方米)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    contractor = forms.CharField(label=_("施工单位"), max_length=100, required=False)

    def __init__(self, *args, kinds, places, parents, units, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["kind"], kinds)
        _choices(self.fields["place"], places, lambda d: d.name)
        _choices(self.fields["parent"], parents, lambda p: p.title, _("无"))
        _choices(self.fields["unit"], units, lambda u: u.name, _("无"))


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=100)
    due_on = DayField(label=_("计划完成日期"), widget=DATE)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=())

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices


class StepForm(forms.Form):
    poll = VisibleField(label=_("票决投票（每户一票）"), widget=forms.Select, required=False)

    def __init__(self, *args, polls, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["poll"], polls, lambda p: p.title, _("无"))


class ReportForm(forms.Form):
    month = DayField(label=_("月份"), widget=DATE, input_formats=["%Y-%m", "%Y-%m-%d"])
    progress = forms.IntegerField(label=_("进度(%)"), min_value=0, max_value=100)
    health = forms.ChoiceField(label=_("进展状态"), choices=Health.choices)
    text = forms.CharField(label=_("进展情况"), widget=TEXT, max_length=4000)


class SupervisionForm(forms.Form):
    title = forms.CharField(label=_("督查事项"), max_length=100)
    place = VisibleField(label=_("督查地区"), widget=forms.Select, required=False)
    random_draw = forms.BooleanField(label=_("两随机：随机抽取督查人员和督查社区"), required=False)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["place"], places, lambda d: d.name)


class FindingsForm(forms.Form):
    findings = forms.CharField(label=_("督查发现"), widget=TEXT, max_length=4000)


class ItemForm(forms.Form):
    text = forms.CharField(label=_("整改要求"), max_length=300)
    owner = VisibleField(label=_("整改责任人"), widget=forms.Select)
    deadline = DayField(label=_("整改期限"), widget=DATE)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["owner"], owners, lambda u: u.full_name or u.username)


class CloseItemForm(forms.Form):
    item = VisibleField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("整改情况"), max_length=500)
    photo = forms.FileField(label=_("整改后的照片"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class VerifyItemForm(forms.Form):
    item = VisibleField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        choices=(("1", _("通过")), ("0", _("退回"))), coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("核验意见"), max_length=500, required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class PartnersForm(forms.Form):
    partners = VisibleRecordsField(
        label=_("共建单位"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["partners"], partners, lambda u: u.name)


class LinkForm(forms.Form):
    """One of a need, an issue or a case the project answers, each chosen among what the
    viewer sees (``shown``: the latest of them, for the select; any visible one resolves)."""

    need = VisibleField(label=_("需求"), widget=forms.Select, required=False)
    issue = VisibleField(label=_("议题"), widget=forms.Select, required=False)
    case = VisibleField(label=_("诉求案件"), widget=forms.Select, required=False)

    def __init__(self, *args, needs, issues, cases, shown=200, **kwargs):
        super().__init__(*args, **kwargs)
        for name, rows, label in (
            ("need", needs, lambda n: n.title),
            ("issue", issues, lambda i: i.title),
            ("case", cases, lambda c: f"{c.number} {c.category.name}"),
        ):
            field = self.fields[name]
            field.queryset = rows
            field.widget.choices = [("", _("不选"))] + [
                (r.pk, label(r)) for r in rows.order_by("-id")[:shown]
            ]
            field.widget.attrs["data-search"] = _("输入名称查找")


class ProposalForm(forms.Form):
    text = forms.CharField(label=_("您的建议"), widget=TEXT, max_length=500)


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("身份"), choices=Commitment.Kind.choices)
    place = VisibleField(label=_("所在社区"), widget=forms.Select)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    letter = forms.CharField(
        label=_("承诺书"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    tasks = forms.CharField(
        label=_("任务清单（每行一项）"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["place"], places, lambda d: d.name)


class CommitmentEditForm(forms.Form):
    """The commitment's letter and task list again (its person, place and year stay)."""

    letter = forms.CharField(
        label=_("承诺书"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    tasks = forms.CharField(
        label=_("任务清单（每行一项）"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )


class ExchangeForm(forms.Form):
    quarter = forms.TypedChoiceField(label=_("季度"), choices=(), coerce=int)
    held_on = DayField(label=_("交流日期"), widget=DATE)
    summary = forms.CharField(label=_("交流内容"), widget=TEXT, max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q, _("第 %(q)s 季度") % {"q": q}) for q in (1, 2, 3, 4)]


class SelfReportForm(forms.Form):
    self_report = forms.CharField(
        label=_("述职报告"), widget=forms.Textarea(attrs={"rows": 6}), max_length=8000
    )


class ScoreForm(forms.Form):
    # bounded loosely here so that the service words a score out of 0–100 itself
    score = forms.DecimalField(label=_("评分（0–100）"), max_digits=7, decimal_places=2)

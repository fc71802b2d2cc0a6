"""Forms of the deliberation pages: they parse and bound; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import DayField, MomentField, VisibleField
from jiceng.deliberation.models import Category, Issue

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})


class MeetingForm(forms.Form):
    community = VisibleField(label=_("社区"), widget=forms.Select)
    kind = VisibleField(label=_("会议类型"), widget=forms.Select)
    title = forms.CharField(label=_("主题"), max_length=100)
    starts_at = MomentField(label=_("开始时间"), widget=DATETIME)
    ends_at = MomentField(label=_("结束时间"), widget=DATETIME)
    venue = VisibleField(label=_("预约场地"), required=False, widget=forms.Select)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    agenda = forms.CharField(
        label=_("议程（每行一项，空着用该类型的默认议程）"), widget=TEXT, required=False
    )

    def __init__(self, *args, communities, kinds, venues, **kwargs):
        super().__init__(*args, **kwargs)
        for name, rows in (("community", communities), ("kind", kinds), ("venue", venues)):
            self.fields[name].queryset = rows
        self.fields["community"].widget.choices = [(c.pk, c.name) for c in communities]
        self.fields["kind"].widget.choices = [(k.pk, k.name) for k in kinds]
        self.fields["venue"].widget.choices = [("", _("不预约场地"))] + [
            (v.pk, f"{v.name}（{v.capacity}）") for v in venues
        ]


class ParticipantForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    username = forms.CharField(
        label=_("账号（选填，用于手机签到和确认纪要）"), max_length=150, required=False
    )


class AttendanceForm(forms.Form):
    participant = VisibleField(widget=forms.HiddenInput)
    present = forms.BooleanField(required=False)

    def __init__(self, *args, participants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))
    resolutions = forms.CharField(label=_("会议决议"), widget=TEXT, required=False, max_length=4000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=300)


class PhotosForm(forms.Form):
    photos = forms.FileField(label=_("照片"))


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("意见（选填）"), max_length=500, required=False, widget=TEXT)


class IssueForm(forms.Form):
    """A resident's issue from the phone."""

    title = forms.CharField(label=_("议题"), max_length=100)
    description = forms.CharField(label=_("具体内容"), max_length=2000, required=False, widget=TEXT)


class StaffIssueForm(IssueForm):
    community = VisibleField(label=_("社区"), widget=forms.Select)
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[(v, lbl) for v, lbl in Issue.Source.choices if v != Issue.Source.PHONE],
    )
    meeting = VisibleField(label=_("提出会议"), required=False, widget=forms.Select)
    case = forms.CharField(label=_("来源案件编号"), max_length=20, required=False)
    need = VisibleField(label=_("来源需求"), required=False, widget=forms.Select)

    def __init__(self, *args, communities, meetings, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].widget.choices = [(c.pk, c.name) for c in communities]
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].widget.choices = [("", "—")] + [
            (m.pk, f"{m.starts_at:%Y-%m-%d} {m.title}") for m in meetings[:50]
        ]
        self.fields["need"].queryset = needs
        self.fields["need"].widget.choices = [("", "—")] + [(n.pk, n.title) for n in needs[:100]]


class ScheduleForm(forms.Form):
    meeting = VisibleField(label=_("议事会议"), widget=forms.Select)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].widget.choices = [
            (m.pk, f"{m.starts_at:%Y-%m-%d} {m.title}") for m in meetings[:50]
        ]


class IssueActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("resolve", "carry_out", "report", "dismiss")]
    )
    note = forms.CharField(label=_("说明"), max_length=1000, required=False, widget=TEXT)
    # carried out: the case it produced, by its number (resolved through what the viewer sees)
    case = forms.CharField(label=_("产生的案件编号（选填）"), max_length=20, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class MatterForm(forms.Form):
    community = VisibleField(label=_("社区"), widget=forms.Select)
    title = forms.CharField(label=_("事项"), max_length=100)
    description = forms.CharField(label=_("内容"), max_length=4000, required=False, widget=TEXT)
    held_on = DayField(label=_("党组织提议日期"), widget=DATE)
    meeting = VisibleField(label=_("会议"), required=False, widget=forms.Select)
    evidence = forms.CharField(label=_("依据材料"), max_length=4000, required=False, widget=TEXT)

    def __init__(self, *args, communities, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].widget.choices = [(c.pk, c.name) for c in communities]
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].widget.choices = [("", "—")] + [
            (m.pk, f"{m.starts_at:%Y-%m-%d} {m.title}") for m in meetings[:50]
        ]


class StepForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("consult", "review", "resolve", "publish", "report", "withdraw")]
    )
    held_on = DayField(label=_("日期"), widget=DATE, required=False)
    meeting = VisibleField(label=_("会议"), required=False, widget=forms.Select)
    evidence = forms.CharField(label=_("依据材料"), max_length=4000, required=False, widget=TEXT)
    votes_for = forms.IntegerField(label=_("赞成"), required=False, min_value=0, max_value=100000)
    votes_against = forms.IntegerField(
        label=_("反对"), required=False, min_value=0, max_value=100000
    )
    votes_abstain = forms.IntegerField(
        label=_("弃权"), required=False, min_value=0, max_value=100000
    )
    note = forms.CharField(label=_("说明"), max_length=1000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].widget.choices = [("", "—")] + [
            (m.pk, f"{m.starts_at:%Y-%m-%d} {m.kind.name} {m.title}") for m in meetings[:50]
        ]

"""Forms of the assessment pages: they parse and bound what a POST carries; the services (and
``schemes``) hold the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.assessment.models import Conversion, Node, Source
from jiceng.core.forms import MomentField, VisibleField
from jiceng.core.inputs import FIRST_DAY, LAST_DAY
from jiceng.core.registry import indicators

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _year() -> forms.IntegerField:
    return forms.IntegerField(label=_("年度"), min_value=FIRST_DAY.year, max_value=LAST_DAY.year)


def _choices(field, rows, label) -> None:
    field.queryset = rows
    field.widget.choices = [(r.pk, label(r)) for r in rows]


# --- schemes ---------------------------------------------------------------------------------


def parse_bands(text: str) -> list[list[float]]:
    """``0.95:1, 0.85:0.8`` → [[0.95, 1.0], [0.85, 0.8]]: a threshold and the share of the
    weight it earns (0–1), highest first."""
    out = []
    for part in (text or "").replace("，", ",").replace("：", ":").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            threshold, share = (float(x) for x in part.split(":"))
        except ValueError:
            raise ValidationError(_("分档的格式为“门槛:得分比例”，用逗号分开。")) from None
        if not (0 <= share <= 1) or abs(threshold) > 1e9:
            raise ValidationError(_("分档的得分比例应在 0 到 1 之间。"))
        out.append([threshold, share])
    return sorted(out, reverse=True)


class NodeForm(forms.Form):
    """A node of a draft scheme: its name and weight; an item also its source and, for an
    indicator, the conversion."""

    name = forms.CharField(label=_("名称"), max_length=100)
    weight = forms.DecimalField(
        label=_("分值"), max_digits=6, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )
    source = forms.ChoiceField(
        label=_("来源"), choices=[("", "—"), *Source.choices], required=False
    )
    indicator = forms.ChoiceField(label=_("指标"), choices=(), required=False)
    conversion = forms.ChoiceField(
        label=_("换算"), choices=[("", "—"), *Conversion.choices], required=False
    )
    low = forms.FloatField(label=_("下限（得0分）"), required=False, min_value=-1e9, max_value=1e9)
    high = forms.FloatField(
        label=_("上限（得满分）"), required=False, min_value=-1e9, max_value=1e9
    )
    bands = forms.CharField(
        label=_("分档"),
        max_length=300,
        required=False,
        help_text=_("门槛:得分比例，用逗号分开，如 0.95:1, 0.85:0.8"),
    )
    survey = VisibleField(label=_("问卷"), widget=forms.Select, required=False)
    poll = VisibleField(label=_("投票"), widget=forms.Select, required=False)

    def __init__(self, *args, surveys, polls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—")] + [
            (i.key, f"{i.name} ({i.key})") for i in sorted(indicators(), key=lambda i: i.key)
        ]
        for name, rows in (("survey", surveys), ("poll", polls)):
            field = self.fields[name]
            field.queryset = rows
            field.widget.choices = [("", "—")] + [(r.pk, r.title) for r in rows[:200]]

    def clean_bands(self):
        return parse_bands(self.cleaned_data.get("bands", ""))

    @staticmethod
    def initial_for(node: Node) -> dict:
        return {
            "name": node.name,
            "weight": node.weight,
            "source": node.source,
            "indicator": node.indicator,
            "conversion": node.conversion,
            "low": node.low,
            "high": node.high,
            "bands": ", ".join(f"{t:g}:{s:g}" for t, s in node.bands or []),
            "survey": node.survey_id or "",
            "poll": node.poll_id or "",
        }


class NodeAddForm(NodeForm):
    parent = VisibleField(label=_("上级"), widget=forms.Select, required=False)

    field_order = ["parent"]

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        field.queryset = parents
        field.widget.choices = [("", _("（新领域）"))] + [
            (n.pk, f"{n.get_level_display()} · {n.name}") for n in parents
        ]


class CopyForm(forms.Form):
    year = _year()


# --- appraisals ------------------------------------------------------------------------------


class _Period(forms.Form):
    year = _year()
    opens_at = MomentField(label=_("开始时间"), widget=MOMENT, input_formats=MOMENT_FORMATS)
    closes_at = MomentField(label=_("截止时间"), widget=MOMENT, input_formats=MOMENT_FORMATS)


class ReportOpenForm(_Period):
    """A community secretary's 述职评议: the secretary (their assignment) picked from a list."""

    secretary = VisibleField(label=_("社区党组织书记"), widget=forms.Select)
    field_order = ["secretary", "year", "opens_at", "closes_at"]

    def __init__(self, *args, secretaries, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(
            self.fields["secretary"],
            secretaries,
            lambda a: f"{a.user.full_name or a.user.username} · {a.division.name}",
        )


class BranchOpenForm(_Period):
    """A branch's 民主评议党员."""

    org = VisibleField(label=_("党支部"), widget=forms.Select)
    field_order = ["org", "year", "opens_at", "closes_at"]

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["org"], orgs, lambda o: o.name)


class GradeForm(forms.Form):
    """A vote or the closing grade: one of the appraisal's grades."""

    grade = forms.ChoiceField(label=_("评议等次"), choices=(), widget=forms.RadioSelect)

    def __init__(self, *args, grades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = grades


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("述职报告 / 自我评价"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

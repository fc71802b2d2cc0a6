"""What the reports pages read from a request: the period (GET), a request to the communities
and a community's answer (POST)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import DayField, VisibleField
from jiceng.reports.models import PeriodKind


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("期间"), choices=PeriodKind.choices, required=False)
    year = forms.IntegerField(label=_("年"), min_value=2000, max_value=2100, required=False)
    number = forms.IntegerField(label=_("月/季度"), min_value=1, max_value=12, required=False)


class RequestForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    book_key = forms.ChoiceField(label=_("台账"), required=False)
    figure = forms.CharField(label=_("或：报送数据项"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("期间"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("年"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("月/季度"), min_value=1, max_value=12, initial=1)
    due = DayField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args, books=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book_key"].choices = [("", "—")] + [(b.key, str(b.title)) for b in books]


class AnswerForm(forms.Form):
    answer = VisibleField()
    value = forms.CharField(label=_("填报内容"), max_length=500, required=False)

    def __init__(self, *args, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].queryset = answers

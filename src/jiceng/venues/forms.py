"""Forms of the venues' pages: they parse and bound what a page posts; the services keep the
rules (core.forms.submit puts their refusals on the form)."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.forms import DayField


def _format_error(label):
    return {"invalid": format_lazy(_("{what}格式不正确。"), what=label)}


class ClosureForm(forms.Form):
    starts_on = DayField(
        label=pgettext_lazy("date range", "起始日期"),
        error_messages=_format_error(pgettext_lazy("field label", "起始日期")),
    )
    # Empty: the venue closes for the one day.
    ends_on = DayField(
        label=pgettext_lazy("date range", "结束日期"),
        required=False,
        error_messages=_format_error(pgettext_lazy("field label", "结束日期")),
    )
    # The service asks for the reason in its own words.
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

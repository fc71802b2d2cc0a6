"""Forms of the venues' pages: they parse and bound what a page posts; the services keep the
rules (core.forms.submit puts their refusals on the form)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.forms import DayField, VisibleField
from jiceng.venues.models import WEEKDAYS, Venue


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


class VenueForm(forms.Form):
    """A venue listed or changed on the console. The service words what is missing or out of
    bounds (name, address, capacity, days ahead, phone, hours), so those fields are optional here
    and numbers that cannot be read carry the service's sentence. Made with ``divisions`` and
    ``units`` (what the viewer may list in) to list one, with neither to change one."""

    division = forms.CharField(label=_("所在社区或网格"), max_length=20, required=False)
    # A unit elsewhere is not found (never silently dropped).
    owner_partner = VisibleField(label=pgettext_lazy("venue owner", "所属单位"), required=False)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=Venue.Kind.choices,
        initial=Venue.Kind.ACTIVITY_ROOM,
        required=False,
        error_messages={"invalid_choice": _("未知的场地类型。")},
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    capacity = forms.IntegerField(
        label=_("容纳人数"),
        required=False,
        max_value=100_000,
        error_messages={"invalid": _("容纳人数应为正整数。")},
    )
    facilities = forms.CharField(label=_("设施"), max_length=300, required=False)
    description = forms.CharField(label=_("简介"), max_length=2000, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    max_days_ahead = forms.IntegerField(
        label=_("最多提前预约天数"),
        required=False,
        initial=30,
        max_value=32_767,
        error_messages={"invalid": _("最多提前预约天数应在 1 至 365 之间。")},
    )
    approval_required = forms.BooleanField(label=_("预约需要审批"), required=False, initial=True)
    residents_only = forms.BooleanField(label=_("仅接受本社区居民预约"), required=False)
    closed_on_holidays = forms.BooleanField(label=_("法定节假日闭馆"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args, divisions=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"w{day}"] = forms.CharField(label=label, max_length=200, required=False)
        self.divisions = divisions
        if divisions is None:  # changing a venue: its place and owner stay
            del self.fields["division"], self.fields["owner_partner"]
        else:
            del self.fields["is_active"]
            self.fields["owner_partner"].queryset = units

    def clean_division(self):
        # A place elsewhere, missing or malformed is the same "choose a place".
        wanted = self.cleaned_data["division"].strip()
        division = self.divisions.filter(pk=wanted).first() if wanted.isdigit() else None
        if division is None:
            raise ValidationError(_("请选择场地所在的社区或网格。"), code="division")
        return division

    def windows(self) -> dict[int, str]:
        return {day: self.cleaned_data[f"w{day}"] for day in range(7)}

    def venue_fields(self) -> dict:
        """What the services take, as they take it."""
        data = self.cleaned_data
        fields = {
            f: data[f]
            for f in (
                "name",
                "kind",
                "address",
                "facilities",
                "description",
                "contact_phone",
                "approval_required",
                "residents_only",
                "closed_on_holidays",
            )
        }
        fields["kind"] = data["kind"] or Venue.Kind.ACTIVITY_ROOM
        fields["capacity"] = data["capacity"]
        # Not sent at all is the usual 30 days; sent empty is refused by the service.
        sent = "max_days_ahead" in self.data
        fields["max_days_ahead"] = data["max_days_ahead"] if sent else 30
        return {**fields, "windows": self.windows()}


class DecisionForm(forms.Form):
    """Approving, declining or cancelling a booking on the console. The service asks for the
    reason in its own words (a booker cancelling their own needs none)."""

    reason = forms.CharField(label=_("原因"), max_length=300, required=False)
    # The console page the form was on, to go back to (only a venues' console page).
    next = forms.CharField(required=False, max_length=500)

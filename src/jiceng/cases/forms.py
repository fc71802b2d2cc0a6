from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.cases.models import Case, CaseCategory
from jiceng.cases.workflow import Triage


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def category_choices():
    rows = CaseCategory.objects.filter(is_active=True).order_by("code")
    groups: dict[str, list] = {}
    names = {c.code: c.name for c in rows if len(c.code) == 2}
    for c in rows:
        if len(c.code) > 2:
            groups.setdefault(names.get(c.code[:2], ""), []).append((c.code, c.name))
    return [("", _("请选择"))] + list(groups.items())


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类别"))
    description = forms.CharField(
        label=_("问题描述"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    grid = forms.ChoiceField(label=_("所在网格"), required=False)
    address = forms.CharField(label=_("地址或位置说明"), max_length=200, required=False)
    is_anonymous = forms.BooleanField(label=_("匿名（处理人员看不到我的姓名）"), required=False)
    contact_phone = forms.CharField(
        label=_("回访电话（选填，只有社区工作人员说明理由后可见）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photos = MultipleFileField(label=_("照片（最多 9 张）"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm_new = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, grids=(), own_grid: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", _("我登记的网格") if own_grid else _("请选择"))] + [
            (g.code, g.name) for g in grids
        ]
        self.fields["grid"].error_messages["invalid_choice"] = _("所选网格不存在，请重新选择。")
        self.fields["category"].choices = category_choices()
        self.fields["category"].error_messages["invalid_choice"] = _("请选择问题类别。")
        self.fields["category"].error_messages["required"] = _("请选择问题类别。")
        if not self.is_bound:
            self.initial["token"] = str(uuid.uuid4())


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    triage = forms.ChoiceField(label=_("分流"), choices=Triage.choices, required=False)
    to_unit = forms.IntegerField(label=_("处置单位"), required=False)
    rating = forms.ChoiceField(label=_("评价"), choices=Case.Rating.choices, required=False)
    into = forms.CharField(label=_("合并到案件编号"), required=False, max_length=20)
    photos = MultipleFileField(label=_("处置照片"), required=False)


class StreetDefaultsForm(forms.Form):
    """A street's default handling unit for each category: one picker per category, among the
    units the street may name (empty: the district-wide default applies)."""

    def __init__(self, *args, categories=(), units=(), chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        self.units = {str(u.pk): u for u in units}
        units = [(pk, u.name) for pk, u in self.units.items()]
        for category in self.categories:
            name = f"unit_{category.pk}"
            unset = _("（同大类）") if category.parent_id else _("（未设置）")
            self.fields[name] = forms.ChoiceField(
                label=category.name, choices=[("", unset), *units], required=False
            )
            self.fields[name].error_messages["invalid_choice"] = _(
                "所选单位不存在或不可选，请重新选择。"
            )
            self.initial[name] = str((chosen or {}).get(category.pk) or "")

    def rows(self):
        """(category, bound field) in the categories' order, for the table."""
        return [(c, self[f"unit_{c.pk}"]) for c in self.categories]

    def chosen_units(self) -> dict:
        data = self.cleaned_data
        return {c: self.units.get(data.get(f"unit_{c.pk}") or "") for c in self.categories}

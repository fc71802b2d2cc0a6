"""Forms of the register's pages: they parse and bound what a page posts; the services keep the
rules (core.forms.submit puts their refusals on the form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import DayField
from jiceng.registry.models import Person
from jiceng.registry.services import PersonData


class BuildingForm(forms.Form):
    # Name and grid may come empty: the service says what is missing, in its own words.
    name = forms.CharField(label=_("楼栋"), max_length=50, required=False)
    grid = forms.CharField(label=_("网格"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90, required=False)
    floors = forms.IntegerField(label=_("层数"), min_value=0, max_value=300, required=False)


class DwellingForm(forms.Form):
    entrance = forms.CharField(label=_("单元"), max_length=20, required=False)
    number = forms.CharField(label=_("房号"), max_length=20, required=False)
    floor = forms.IntegerField(label=_("楼层"), min_value=-20, max_value=300, required=False)


class PersonForm(forms.Form):
    """A person's fields as the register's pages post them. The service (PersonData.cleaned)
    words what is missing or unknown; here the text is bounded and the version read."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False)
    residence_type = forms.CharField(label=_("人口类型"), max_length=20, required=False)
    relation = forms.CharField(label=_("与户主关系"), max_length=20, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def person_data(self):
        data = self.cleaned_data
        return PersonData(
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            ethnicity=data["ethnicity"],
            residence_type=data["residence_type"] or Person.ResidenceType.REGISTERED,
            relation=data["relation"],
            note=data["note"],
        )


class PersonEditForm(PersonForm):
    # The version the page was drawn at: a save over someone else's is refused by the service.
    version = forms.IntegerField(label=_("版本"), required=False, min_value=0, max_value=2**31 - 1)


def _moved_in():
    return DayField(
        label=_("迁入日期"),
        required=False,
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD。")},
    )


class RegisterPersonForm(PersonForm):
    """A new person registered on a dwelling's page."""

    moved_in = _moved_in()


class MoveInForm(forms.Form):
    """Someone already registered, named by ID number, moved in on a dwelling's page (the
    selector words an unknown number, the same for someone the worker may not see)."""

    existing_id = forms.CharField(label=_("身份证号"), max_length=30)
    moved_in = _moved_in()


class LeavingForm(forms.Form):
    """A person moved out or marked deceased on their page (a death needs its day: the view
    says so; a move out without one is today)."""

    on = DayField(
        label=_("日期"), required=False, error_messages={"invalid": _("日期格式应为 YYYY-MM-DD。")}
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class CareTagForm(forms.Form):
    # The service words a tag it does not know.
    tag = forms.CharField(label=_("标签"), max_length=30, required=False)
    on_off = forms.ChoiceField(label=_("操作"), choices=[("on", "on"), ("off", "off")])
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

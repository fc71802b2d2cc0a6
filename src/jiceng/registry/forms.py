"""Forms of the register's pages: they parse and bound what a page posts; the services keep the
rules (core.forms.submit puts their refusals on the form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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

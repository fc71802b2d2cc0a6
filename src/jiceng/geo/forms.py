"""The forms of geo's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.geo.coords import System


class PlaceImportForm(forms.Form):
    file = forms.FileField(label=_("边界文件（GeoJSON 或 Shapefile 的 .zip）"))
    system = forms.ChoiceField(label=_("坐标系"), choices=System.choices)


class PlaceConfirmForm(forms.Form):
    valid_only = forms.BooleanField(
        label=_("只导入无误的图形（有错误的图形不导入）"), required=False
    )

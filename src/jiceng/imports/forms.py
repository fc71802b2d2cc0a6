from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.imports.models import UnitImport


class UnitImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=UnitImport.Mode.choices,
        initial=UnitImport.Mode.WHOLE,
        widget=forms.RadioSelect,
    )

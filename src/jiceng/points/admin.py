from django import forms
from django.contrib import admin

from jiceng.core.errors import UserError
from jiceng.points.models import PointRule
from jiceng.points.services import validate_rule


class PointRuleForm(forms.ModelForm):
    class Meta:
        model = PointRule
        fields = (
            "code",
            "name",
            "kind",
            "source",
            "points",
            "cap_day",
            "cap_month",
            "cap_year",
            "is_active",
        )

    def clean(self):
        data = super().clean()
        try:
            validate_rule(
                kind=data.get("kind") or "",
                points=data.get("points") or 0,
                source=data.get("source") or "",
                cap_day=data.get("cap_day"),
                cap_month=data.get("cap_month"),
                cap_year=data.get("cap_year"),
            )
        except UserError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    """Rules are configured here; the ledger itself is never edited in the admin."""

    configured_by = "system_admin"
    form = PointRuleForm
    list_display = (
        "code",
        "name",
        "kind",
        "points",
        "cap_day",
        "cap_month",
        "cap_year",
        "is_active",
    )
    list_filter = ("kind", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False

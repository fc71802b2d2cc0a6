"""The indicators' classification in the admin (system administrator, at the district
organization department's request): domains, categories, and where each indicator is filed and
whether it is public. Snapshots are computed, never edited."""

from django import forms
from django.contrib import admin

from jiceng.core.registry import indicators
from jiceng.dashboard.models import Category, Domain, IndicatorFiling


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("key", "name", "name_en", "order")
    ordering = ("order", "key")

    def has_delete_permission(self, request, obj=None):
        return False  # categories and filings point at it


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("key", "name", "name_en", "domain", "order")
    list_filter = ("domain",)

    def has_delete_permission(self, request, obj=None):
        return False


class FilingForm(forms.ModelForm):
    """The indicator is chosen among the registered ones."""

    indicator = forms.ChoiceField(choices=())

    class Meta:
        model = IndicatorFiling
        fields = ("indicator", "category", "public", "order")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.key, f"{i.name}（{i.key}）") for i in indicators()]


@admin.register(IndicatorFiling)
class IndicatorFilingAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    form = FilingForm
    list_display = ("indicator", "category", "public", "order")
    list_filter = ("public", "category__domain")

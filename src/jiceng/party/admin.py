"""Party configuration in the admin (system administrator): the organisation tree, dues rules,
meeting frequencies. Members are people, read by the business roles on their pages."""

from django.contrib import admin

from jiceng.party.models import (
    DuesRule,
    MeetingFrequency,
    PartyOrg,
)


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("name", "kind", "scope_code", "theme_day", "is_active")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("parent", "division", "partner")
    readonly_fields = ("scope_code",)


@admin.register(DuesRule)
class DuesRuleAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("income_kind", "above", "up_to", "rate", "fixed_amount", "regulation")


@admin.register(MeetingFrequency)
class MeetingFrequencyAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("kind", "org_kind", "period", "times", "warn_days", "regulation", "is_active")

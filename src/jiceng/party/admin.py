from django.contrib import admin

from jiceng.party.models import (
    DuesRule,
    MeetingFrequency,
    Member,
    PartyOrg,
)


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "scope_code", "theme_day", "is_active")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("parent", "division", "partner")
    readonly_fields = ("scope_code",)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "management_type", "standing", "is_active")
    list_filter = ("management_type", "standing")
    search_fields = ("name",)
    raw_id_fields = ("user", "org", "partner")
    readonly_fields = ("scope_code",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesRule)
class DuesRuleAdmin(admin.ModelAdmin):
    list_display = ("income_kind", "above", "up_to", "rate", "fixed_amount", "regulation")


@admin.register(MeetingFrequency)
class MeetingFrequencyAdmin(admin.ModelAdmin):
    list_display = ("kind", "org_kind", "period", "times", "warn_days", "regulation", "is_active")

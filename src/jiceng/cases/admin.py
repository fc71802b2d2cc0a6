"""Case configuration in the admin (system administrator): categories and Open311 keys. Cases
themselves are business records, read by the business roles on their pages, not here."""

from django.contrib import admin

from jiceng.cases.models import CaseCategory, Open311Key


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = (
        "code",
        "name",
        "kind",
        "default_triage",
        "default_handler",
        "filing_hours",
        "dispatch_hours",
        "accept_hours",
        "handling_hours",
        "verify_hours",
        "is_active",
    )
    list_filter = ("kind", "default_triage", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent", "default_handler")

    def has_delete_permission(self, request, obj=None):
        return False  # stop a category with is_active; cases keep pointing at it


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("name", "account", "is_active", "created_at")
    raw_id_fields = ("account",)

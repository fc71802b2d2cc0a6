from django.contrib import admin

from jiceng.cases.models import Case, CaseCategory, Open311Key


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
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


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the loop's services (and their event log)."""

    list_display = ("number", "category", "status", "scope_code", "created_at")
    list_filter = ("status", "triage", "source")
    search_fields = ("number",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "is_active", "created_at")
    raw_id_fields = ("account",)

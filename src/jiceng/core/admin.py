"""The core's tables in the admin: the calendar (system administrator) and the audit log,
read-only (audit administrator). core names the roles as the strings accounts defines."""

from django.contrib import admin

from jiceng.core.models import AuditEntry, CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit administrator reads the log here as on the audit page; nobody changes it."""

    configured_by = "audit_admin"
    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "scope_code", "ip")
    list_filter = ("action",)
    search_fields = ("actor_name", "action", "object_repr", "object_id", "scope_code")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

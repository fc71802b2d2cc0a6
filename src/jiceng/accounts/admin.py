from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from jiceng.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "division", "unit", "scope_code", "granted_by", "created_at", "ended_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Roles are granted on the accounts page, through the service that checks scope and
        # the separation of the three administrators.
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name")
    fieldsets = (
        (None, {"fields": ("username", "full_name", "is_active")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [RoleAssignmentInline]

    def has_delete_permission(self, request, obj=None):
        return False

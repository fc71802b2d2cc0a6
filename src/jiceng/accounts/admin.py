"""The security administrator's part of the admin: accounts (with their role assignments, read
only here), lockouts and second-factor devices. Roles are granted on the accounts page."""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import Role


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
    configured_by = Role.SECURITY_ADMIN
    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name")
    fieldsets = (
        (None, {"fields": ("username", "full_name", "is_active")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [RoleAssignmentInline]

    def has_delete_permission(self, request, obj=None):
        return False


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """Failed logins by (username, address); deleting one unlocks that pair."""

    configured_by = Role.SECURITY_ADMIN

    @admin.action(description=_("清理已过期的尝试"))
    def cleanup_expired_attempts(self, request, queryset):
        # axes' action reads the attribute its middleware sets on login requests only (a 500)
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)

# Login records and second-factor devices, from their packages' admins.
for model in (AccessLog, AccessFailureLog, TOTPDevice):
    admin.site.configure(model, Role.SECURITY_ADMIN)

# Roles are the platform's permissions; Django's groups are not used.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# Their packages name these in English only: Chinese here, English from the catalogue.
apps.get_app_config("axes").verbose_name = _("登录锁定")
apps.get_app_config("otp_totp").verbose_name = _("双因素认证")
for model, name in (
    (AccessAttempt, _("登录失败记录")),
    (AccessLog, _("登录记录")),
    (AccessFailureLog, _("登录失败日志")),
    (TOTPDevice, _("动态口令设备")),
):
    model._meta.verbose_name = model._meta.verbose_name_plural = name

# django-otp names its device's fields by their attribute names only ("confirmed", "last t"):
# Chinese here, English from the catalogue. (django-axes' English strings get their Chinese
# from locale/zh_Hans.)
for field, name in (
    ("user", _("所属账号")),
    ("name", _("设备名称")),
    ("confirmed", _("已确认")),
    ("throttling_failure_timestamp", _("最近一次口令错误时间")),
    ("throttling_failure_count", _("连续口令错误次数")),
    ("created_at", _("创建时间")),
    ("last_used_at", _("最近使用时间")),
    ("key", _("密钥")),
    ("step", _("口令周期（秒）")),
    ("t0", _("起始时间")),
    ("digits", _("口令位数")),
    ("tolerance", _("容许偏差（周期）")),
    ("drift", _("时钟偏移（周期）")),
    ("last_t", _("最近使用的周期")),
):
    TOTPDevice._meta.get_field(field).verbose_name = name

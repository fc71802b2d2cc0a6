"""Case configuration in the admin (system administrator): categories and Open311 keys. Cases
themselves are business records, read by the business roles on their pages, not here."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from jiceng.cases import services
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
        "verify_photo_required",
        "is_active",
    )
    list_filter = ("kind", "default_triage", "verify_photo_required", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent", "default_handler")

    def has_delete_permission(self, request, obj=None):
        return False  # stop a category with is_active; cases keep pointing at it


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """A new key is made by the service and shown once, on the page after saving; only its
    hash is kept, so a lost key is replaced, never read back."""

    configured_by = "system_admin"
    list_display = ("name", "hint", "account", "is_active", "created_at")
    fields = ("name", "account", "is_active")
    raw_id_fields = ("account",)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, value = services.open311_key_create(
            name=obj.name, account=obj.account, by=request.user, request=request
        )
        obj.pk, obj.key_hash, obj.hint, obj.created_at = (
            key.pk,
            key.key_hash,
            key.hint,
            key.created_at,
        )
        if not obj.is_active:
            Open311Key.objects.filter(pk=key.pk).update(is_active=False)
        messages.warning(
            request,
            _("新密钥（只显示这一次，请立即交给对接方妥善保存）：{key}").format(key=value),
        )
        return None

from django.contrib import admin

from jiceng.partners.models import Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("name", "kind", "scope_code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("division",)
    readonly_fields = ("scope_code",)

from django.contrib import admin

from jiceng.party.models import PartyOrg


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "scope_code")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("parent", "division", "partner")
    readonly_fields = ("scope_code",)

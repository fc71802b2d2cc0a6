from django.contrib import admin

from jiceng.geo.models import Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    configured_by = "system_admin"
    list_display = ("code", "name", "level", "kind", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("boundary", "centroid_lon", "centroid_lat")
    raw_id_fields = ("parent",)

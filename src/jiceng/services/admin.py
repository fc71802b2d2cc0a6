"""The system administrator's view of community services: configuration-like records only
(teams and offers); the lists, orders and wishes are worked in the console, through services."""

from django.contrib import admin

from jiceng.services.models import Offer, VolunteerTeam


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "scope_code", "is_active")
    search_fields = ("name",)
    raw_id_fields = ("community", "partner")
    readonly_fields = ("scope_code",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "community", "capacity", "is_active")
    list_filter = ("kind",)
    search_fields = ("title",)
    raw_id_fields = ("community", "partner", "team", "member")
    readonly_fields = ("scope_code",)

    def has_delete_permission(self, request, obj=None):
        return False

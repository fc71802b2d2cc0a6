"""Venues in the system administrator's configuration pages; bookings are read-only there
(every decision goes through the services, which check, audit and notify)."""

from django.contrib import admin

from jiceng.venues.models import Booking, Closure, OpeningWindow, Venue


class OpeningWindowInline(admin.TabularInline):
    model = OpeningWindow
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "scope_code", "owner_partner", "capacity", "is_active")
    list_filter = ("kind", "approval_required", "is_active")
    search_fields = ("name", "address")
    raw_id_fields = ("division", "owner_partner")
    readonly_fields = ("scope_code",)
    inlines = [OpeningWindowInline, ClosureInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("venue", "starts_at", "ends_at", "title", "booker", "status")
    list_filter = ("status",)
    search_fields = ("title", "venue__name")
    raw_id_fields = ("venue", "booker", "organization", "decided_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

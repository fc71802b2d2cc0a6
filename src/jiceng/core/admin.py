from django.contrib import admin

from jiceng.core.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        from jiceng.core.audit import audit

        super().save_model(request, obj, form, change)
        audit(actor=request.user, action="calendar.change", obj=obj, request=request)

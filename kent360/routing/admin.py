from django.contrib import admin

from kent360.routing.models import (
    BusinessCalendar,
    Escalation,
    Holiday,
    RoutingDecision,
    RoutingModel,
    RoutingSettings,
)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "country", "organisation", "kind", "half_day")
    list_filter = ("country", "kind", "half_day")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("organisation", "work_start", "work_end", "work_days", "country")


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    list_display = ("organisation", "auto_route", "threshold")


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    list_display = ("organisation", "version", "is_current", "accepted", "n_train", "created_at")
    exclude = ("blob",)


admin.site.register(RoutingDecision)
admin.site.register(Escalation)

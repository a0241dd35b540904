from django.contrib import admin

from kent360.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationTemplate,
    SurveyInvitation,
)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("organisation", "kind", "channel", "language", "subject")
    list_filter = ("kind", "channel", "language", "organisation")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ("number", "channel", "status", "error", "permanent", "started_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("key", "channel", "recipient", "status", "attempts", "created_at")
    list_filter = ("channel", "status")
    inlines = [AttemptInline]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ("request", "rating", "answered_at", "reopened_at")
    exclude = ("token_hash",)

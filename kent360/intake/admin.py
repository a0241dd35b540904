from django.contrib import admin

from kent360.intake.models import InboundMessage, ServiceAttribute, SocialAccount


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "organisation", "source", "status", "request")
    list_filter = ("source", "status", "organisation")
    search_fields = ("idempotency_key", "error")
    readonly_fields = ("token", "payload", "parsed", "raw_file", "request")


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("category", "code", "datatype", "required", "order")
    list_filter = ("organisation",)


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ("organisation", "platform", "base_url", "is_active", "last_polled_at")

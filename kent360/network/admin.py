from django.contrib import admin

from kent360.network.models import SmsReply


@admin.register(SmsReply)
class SmsReplyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["received_at", "organisation", "sender", "outcome"]
    list_filter = ["outcome"]
    readonly_fields = [f.name for f in SmsReply._meta.fields]

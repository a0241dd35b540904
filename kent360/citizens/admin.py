from django.contrib import admin

from kent360.citizens.models import Citizen


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "phone", "email", "created_at"]
    list_filter = ["organisation"]
    search_fields = ["name", "phone", "email"]
    exclude = ["national_id_hash"]

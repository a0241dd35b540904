from django.contrib import admin

from kent360.organizations.models import Category, Directorate, Organisation, Staff


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organisation", "default_directorate", "sla_hours", "is_active"]
    list_filter = ["organisation", "is_active", "sla_mode"]
    search_fields = ["name", "code"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "directorate", "is_active"]
    list_filter = ["organisation", "role", "is_active"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from kent360.organizations import selectors
from kent360.organizations.models import Category, Directorate
from kent360.requests.api.views import api_staff


class DirectorateSerializer(serializers.ModelSerializer):
    # Blank when unknown: a plain string, not format "email".
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Directorate
        fields = ["code", "name", "email", "phone", "is_active"]


class CategorySerializer(serializers.ModelSerializer):
    default_directorate: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "description",
            "default_directorate",
            "sla_hours",
            "sla_mode",
            "is_active",
        ]


class DirectorateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DirectorateSerializer
    queryset = Directorate.objects.none()  # the schema generator has no signed-in staff
    lookup_field = "code"
    lookup_value_regex = r"[-\w]+"  # codes are slugs; anything else (NUL bytes …) is a 404

    def get_queryset(self) -> QuerySet[Directorate]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Directorate.objects.none()
        return selectors.directorate_list(staff=api_staff(self.request))


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.none()  # the schema generator has no signed-in staff
    lookup_field = "code"
    lookup_value_regex = r"[-\w]+"  # codes are slugs; anything else (NUL bytes …) is a 404

    def get_queryset(self) -> QuerySet[Category]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Category.objects.none()
        return selectors.category_list(staff=api_staff(self.request))

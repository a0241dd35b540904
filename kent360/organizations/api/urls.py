from rest_framework.routers import SimpleRouter

from kent360.organizations.api.views import CategoryViewSet, DirectorateViewSet

router = SimpleRouter()
router.register("directorates", DirectorateViewSet, basename="directorate")
router.register("categories", CategoryViewSet, basename="category")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from kent360.press.api.views import (
    ContactListViewSet,
    EventViewSet,
    JournalistViewSet,
    ReleaseViewSet,
)

router = SimpleRouter()
router.register("releases", ReleaseViewSet, basename="press-release")
router.register("contacts", JournalistViewSet, basename="press-contact")
router.register("lists", ContactListViewSet, basename="press-list")
router.register("events", EventViewSet, basename="press-event")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from kent360.social.api.views import PostViewSet

router = SimpleRouter()
router.register("posts", PostViewSet, basename="social-post")
urlpatterns = router.urls

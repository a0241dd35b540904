from rest_framework.routers import SimpleRouter

from kent360.media.api.views import (
    ArticleViewSet,
    RebuttalCaseViewSet,
    SourceViewSet,
    StoryViewSet,
)

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="media-article")
router.register("stories", StoryViewSet, basename="media-story")
router.register("sources", SourceViewSet, basename="media-source")
router.register("tekzip", RebuttalCaseViewSet, basename="media-tekzip")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from kent360.network.api.views import CampaignViewSet, CrisisViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="network-campaign")
router.register("crises", CrisisViewSet, basename="network-crisis")
urlpatterns = router.urls

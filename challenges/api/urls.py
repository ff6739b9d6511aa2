from rest_framework.routers import SimpleRouter

from .views import ApplicationViewSet, ChallengeViewSet

router = SimpleRouter()
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("applications", ApplicationViewSet, basename="application")
urlpatterns = router.urls

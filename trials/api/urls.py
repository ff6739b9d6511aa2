from rest_framework.routers import SimpleRouter

from .views import TrialViewSet

router = SimpleRouter()
router.register("trials", TrialViewSet, basename="trial")
urlpatterns = router.urls

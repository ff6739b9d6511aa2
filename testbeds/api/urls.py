from rest_framework.routers import SimpleRouter

from .views import TestBedViewSet

router = SimpleRouter()
router.register("testbeds", TestBedViewSet, basename="testbed")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from .changes import ChangeRequestViewSet
from .corrections import LogEntryViewSet, MeasurementViewSet
from .views import EvidenceFileViewSet, EvidencePackViewSet, KpiViewSet, TrialViewSet

router = SimpleRouter()
router.register("trials", TrialViewSet, basename="trial")
router.register("kpis", KpiViewSet, basename="kpi")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("log-entries", LogEntryViewSet, basename="log-entry")
router.register("files", EvidenceFileViewSet, basename="evidence-file")
router.register("evidence-packs", EvidencePackViewSet, basename="evidence-pack")
router.register("change-requests", ChangeRequestViewSet, basename="change-request")
urlpatterns = router.urls

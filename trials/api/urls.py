from rest_framework.routers import SimpleRouter

from .views import (
    EvidenceFileViewSet,
    EvidencePackViewSet,
    KpiViewSet,
    MeasurementViewSet,
    TrialViewSet,
)

router = SimpleRouter()
router.register("trials", TrialViewSet, basename="trial")
router.register("kpis", KpiViewSet, basename="kpi")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("files", EvidenceFileViewSet, basename="evidence-file")
router.register("evidence-packs", EvidencePackViewSet, basename="evidence-pack")
urlpatterns = router.urls

from django.urls import path  # noqa: E402

from .programmes import ProgrammeReportCsv, ProgrammeReportJson  # noqa: E402

urlpatterns += [
    path(
        "programmes/<int:pk>/report.csv", ProgrammeReportCsv.as_view(), name="programme-report-csv"
    ),
    path(
        "programmes/<int:pk>/report.json",
        ProgrammeReportJson.as_view(),
        name="programme-report-json",
    ),
]

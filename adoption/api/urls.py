from django.urls import path

from .views import (
    AdoptionView,
    ImpactReportSubmitView,
    InterestView,
    OutcomeListView,
    TrialImpactReportsView,
)

urlpatterns = [
    path("trials/<int:pk>/adoption/", AdoptionView.as_view(), name="trial-adoption"),
    path(
        "trials/<int:pk>/adoption/interest/",
        InterestView.as_view(),
        name="trial-adoption-interest",
    ),
    path(
        "trials/<int:pk>/impact-reports/",
        TrialImpactReportsView.as_view(),
        name="trial-impact-reports",
    ),
    path(
        "impact-reports/<int:pk>/submit/",
        ImpactReportSubmitView.as_view(),
        name="impact-report-submit",
    ),
    path("outcomes/", OutcomeListView.as_view(), name="outcome-list"),
]

from django.urls import path

from .enrolments import ProgrammeEnrolments
from .funnel import ProgrammeFunnel
from .reports import ProgrammeReportCsv, ProgrammeReportJson
from .views import ProgrammeList

urlpatterns = [
    path("programmes/", ProgrammeList.as_view(), name="programme-list"),
    path("programmes/<int:pk>/funnel/", ProgrammeFunnel.as_view(), name="programme-funnel"),
    path(
        "programmes/<int:pk>/enrolments/",
        ProgrammeEnrolments.as_view(),
        name="programme-enrolments",
    ),
    path(
        "programmes/<int:pk>/report.csv", ProgrammeReportCsv.as_view(), name="programme-report-csv"
    ),
    path(
        "programmes/<int:pk>/report.json",
        ProgrammeReportJson.as_view(),
        name="programme-report-json",
    ),
]

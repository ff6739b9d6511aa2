from django.urls import path

from . import enrolment_views, figure_views, views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/summary.pdf", views.programme_summary_pdf, name="summary_pdf"),
    path("<int:pk>/summary/", views.programme_summary_page, name="summary"),
    path("<int:pk>/funnel/", figure_views.programme_funnel_page, name="funnel"),
    path("<int:pk>/challenges/", figure_views.programme_challenges_page, name="challenges"),
    path("<int:pk>/trials/", figure_views.programme_trials_page, name="trials"),
    path("<int:pk>/start-ups/", enrolment_views.programme_startups, name="startups"),
    path(
        "<int:pk>/start-ups/enrol/",
        enrolment_views.programme_startup_enrol,
        name="startup_enrol",
    ),
    path(
        "<int:pk>/utilisation/",
        figure_views.programme_utilisation_page,
        name="utilisation",
    ),
]

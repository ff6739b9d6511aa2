from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/summary.pdf", views.programme_summary_pdf, name="summary_pdf"),
]

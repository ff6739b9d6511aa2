from django.urls import path

from . import portfolio_views

app_name = "programmes"

urlpatterns = [
    path("", portfolio_views.programme_list, name="list"),
    path("<int:pk>/", portfolio_views.programme_detail, name="detail"),
    path("<int:pk>/summary.pdf", portfolio_views.programme_summary_pdf, name="summary_pdf"),
]

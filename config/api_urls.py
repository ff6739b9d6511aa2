"""The API under /api/v1/, its OpenAPI schema and offline Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

app_name = "api"

urlpatterns = [
    path("v1/", include("testbeds.api.urls")),
    path("v1/", include("trials.api.urls")),
    path("v1/", include("accounts.api.urls")),
    path("v1/", include("programmes.api.urls")),
    path("v1/", include("challenges.api.urls")),
    path("v1/", include("adoption.api.urls")),
    # Keep last among the v1 routes: any other /api/v1/ path answers a JSON 404.
    path("v1/", include("accounts.api.fallback_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy

from accounts import views as account_views
from core import views as core_views
from programmes import dashboard as programme_dashboard
from programmes import public_views as programme_public_views
from programmes import views as programme_views
from testbeds import media_views as testbed_media_views
from trials import calendar as calendar_feeds
from trials import data_rights_views
from trials import views as trial_views

# The admin signs in through allauth, so its rate limits and two-factor login apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = gettext_lazy("Test Bed Exchange administration")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("about/", core_views.about, name="about"),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("healthz", core_views.healthz, name="healthz"),
    path("media/<path:path>", testbed_media_views.photo_file, name="public_media"),
    path("accounts/", include("allauth.urls")),
    path("account/delete/", data_rights_views.account_delete, name="account_delete"),
    path(
        "organisations/<slug:slug>/export/",
        data_rights_views.organisation_export,
        name="organisation_export",
    ),
    path("", include("accounts.urls")),
    path("", include("accounts.integrations_urls")),
    path("programmes/", include("programmes.urls")),
    path("dashboard/", programme_dashboard.dashboard, name="dashboard"),
    path("dashboard/test-beds/", programme_views.provider_dashboard, name="provider_dashboard"),
    path("regions/", programme_public_views.regions_page, name="regions"),
    path("testbeds/", include("testbeds.urls")),
    path("trials/", include("trials.urls")),
    path("challenges/", include("challenges.urls")),
    path("", include("adoption.urls")),
    path("api/", include("config.api_urls")),
    path("verify/<str:code>/", trial_views.verify, name="verify"),
    path(
        "calendars/testbeds/<str:token>.ics", calendar_feeds.testbed_feed, name="testbed_calendar"
    ),
    path(
        "calendars/organisations/<str:token>.ics",
        calendar_feeds.organisation_feed,
        name="organisation_calendar",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<str:code>/", account_views.switch_language, name="language"),
    path("admin/", admin.site.urls),
]

handler500 = "core.views.server_error"

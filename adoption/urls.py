from django.urls import path

from .views import private, register

app_name = "adoption"

urlpatterns = [
    path("outcomes/", register.outcome_list, name="register"),
    path("outcomes/outcomes.csv", register.outcomes_csv, name="register_csv"),
    path("outcomes/outcomes.json", register.outcomes_json, name="register_json"),
    path("outcomes/feed/", register.OutcomeFeed(), name="feed"),
    path("outcomes/<int:pk>/", register.outcome_detail, name="outcome"),
    path("outcomes/<int:pk>/interest/", register.interest, name="interest"),
    path(
        "outcomes/<int:pk>/interest/withdraw/",
        register.interest_withdraw,
        name="interest_withdraw",
    ),
    path("trials/<int:trial_pk>/adoption/", private.detail, name="detail"),
    path("trials/<int:trial_pk>/adoption/decide/", private.decide, name="decide"),
    path("trials/<int:trial_pk>/adoption/register/", private.consent, name="consent"),
    path("trials/<int:trial_pk>/adoption/contact/", private.contact, name="contact"),
    path("impact-reports/<int:pk>/", private.report, name="report"),
]

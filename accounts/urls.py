from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.profile, name="profile"),
    path("notifications/", views.notifications, name="notifications"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/switch/", views.organisation_switch, name="organisation_switch"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/invite/", views.invitation_send, name="invitation_send"),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<slug:slug>/calendar/reset/",
        views.organisation_calendar_reset,
        name="organisation_calendar_reset",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]

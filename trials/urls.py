from django.urls import path

from . import (
    calendar,
    change_views,
    correction_views,
    message_views,
    pack_views,
    partner_views,
    step_views,
    views,
)

app_name = "trials"

urlpatterns = [
    path("", views.trial_list, name="list"),
    path("requests/", views.approval_queue, name="approval_queue"),
    path("request/<slug:slug>/", views.request_trial, name="request"),
    path("waitlist/<int:pk>/", views.waitlist_entry, name="waitlist"),
    path("waitlist/<int:pk>/leave/", step_views.waitlist_leave, name="waitlist_leave"),
    path("messages/", message_views.inbox, name="inbox"),
    path("<int:pk>/messages/", message_views.thread, name="messages"),
    path(
        "<int:pk>/messages/attachments/<int:attachment_pk>/",
        message_views.attachment_download,
        name="message_attachment",
    ),
    path("<int:pk>/", views.trial_detail, name="detail"),
    path("<int:pk>/calendar.ics", calendar.trial_event, name="calendar"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/withdraw/", step_views.withdraw, name="withdraw"),
    path("<int:pk>/cancel/", step_views.cancel, name="cancel"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/complete/", step_views.complete, name="complete"),
    path("<int:pk>/plan/", views.plan_edit, name="plan"),
    path("<int:pk>/outcome/", views.outcome_edit, name="outcome"),
    path("<int:pk>/kpis/new/", views.kpi_add, name="kpi_add"),
    path("<int:pk>/kpis/<int:kpi_pk>/measurements/", views.measurement_add, name="measurement_add"),
    path(
        "<int:pk>/kpis/<int:kpi_pk>/not-measured/", views.kpi_not_measured, name="kpi_not_measured"
    ),
    path("<int:pk>/kpis/<int:kpi_pk>/remove/", step_views.kpi_remove, name="kpi_remove"),
    path("<int:pk>/log/", views.log_add, name="log_add"),
    path(
        "<int:pk>/log/<int:entry_pk>/correct/",
        correction_views.log_entry_correct,
        name="log_correct",
    ),
    path(
        "<int:pk>/measurements/<int:measurement_pk>/correct/",
        correction_views.measurement_correct,
        name="measurement_correct",
    ),
    path("<int:pk>/kpis/<int:kpi_pk>/correct/", correction_views.kpi_correct, name="kpi_correct"),
    path("<int:pk>/files/new/", views.file_add, name="file_add"),
    path("<int:pk>/files/<int:file_pk>/remove/", step_views.file_remove, name="file_remove"),
    path("<int:pk>/files/<int:file_pk>/", views.file_download, name="file"),
    path(
        "<int:pk>/files/<int:file_pk>/<str:rendition>/", views.file_download, name="file_rendition"
    ),
    path("<int:pk>/change-dates/", change_views.change_request_new, name="change_request"),
    path(
        "<int:pk>/change-requests/<int:change_pk>/approve/",
        change_views.change_request_approve,
        name="change_approve",
    ),
    path(
        "<int:pk>/change-requests/<int:change_pk>/decline/",
        change_views.change_request_decline,
        name="change_decline",
    ),
    path(
        "<int:pk>/change-requests/<int:change_pk>/withdraw/",
        change_views.change_request_withdraw,
        name="change_withdraw",
    ),
    path("<int:pk>/partners/new/", partner_views.partner_invite, name="partner_invite"),
    path(
        "<int:pk>/partners/<int:partner_pk>/remove/",
        partner_views.partner_remove,
        name="partner_remove",
    ),
    path(
        "partners/invitations/<str:token>/",
        partner_views.partner_invitation,
        name="partner_invitation",
    ),
    path("<int:pk>/submit/", step_views.submit, name="submit"),
    path("<int:pk>/packs/<int:pack_pk>/pdf/", views.pack_download, name="pack_pdf"),
    path("<int:pk>/packs/<int:pack_pk>/", pack_views.pack_page, name="pack_page"),
    path(
        "<int:pk>/packs/<int:pack_pk>/photos/<int:number>/",
        pack_views.pack_photo,
        name="pack_photo",
    ),
    path("<int:pk>/packs/<int:pack_pk>/review/", views.pack_review, name="pack_review"),
    path("<int:pk>/packs/<int:pack_pk>/retry/", views.pack_retry, name="pack_retry"),
]

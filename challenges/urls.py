from django.urls import path

from .views import applications, assessment, public

app_name = "challenges"

A = "<slug:slug>/applications/<int:pk>/"

urlpatterns = [
    path("", public.challenge_list, name="list"),
    path("feed/", public.ChallengeFeed(), name="feed"),
    path("new/", public.create, name="create"),
    path("mine/", public.mine, name="mine"),
    path("testbed-requests/", public.link_requests, name="link_requests"),
    path("testbed-requests/<int:pk>/", public.link_respond, name="link_respond"),
    path(
        "assessor-invitations/<str:token>/",
        assessment.assessor_invitation,
        name="assessor_invitation",
    ),
    path("<slug:slug>/", public.challenge_detail, name="detail"),
    path("<slug:slug>/follow/", public.follow, name="follow"),
    path("<slug:slug>/ask/", public.ask, name="ask"),
    path("<slug:slug>/edit/", public.edit, name="edit"),
    path("<slug:slug>/criteria/", public.criteria, name="criteria"),
    path("<slug:slug>/questions/", public.questions, name="questions"),
    path("<slug:slug>/testbeds/", public.testbeds, name="testbeds"),
    path("<slug:slug>/testbeds/<int:pk>/remove/", public.testbed_remove, name="testbed_remove"),
    path("<slug:slug>/publish/", public.publish, name="publish"),
    path("<slug:slug>/clarifications/", public.clarifications, name="clarifications"),
    path(
        "<slug:slug>/clarifications/<int:pk>/answer/",
        public.clarification_answer,
        name="clarification_answer",
    ),
    path("<slug:slug>/manage/", assessment.manage, name="manage"),
    path("<slug:slug>/assessors/", assessment.assessors, name="assessors"),
    path(
        "<slug:slug>/assessors/<int:pk>/remove/",
        assessment.assessor_remove,
        name="assessor_remove",
    ),
    path("<slug:slug>/assess/", assessment.assess, name="assess"),
    path("<slug:slug>/ranking/", assessment.ranking, name="ranking"),
    path("<slug:slug>/applications.csv", assessment.applications_csv, name="applications_csv"),
    path("<slug:slug>/scores.csv", assessment.scores_csv, name="scores_csv"),
    path("<slug:slug>/apply/", applications.apply, name="apply"),
    path(A, applications.application_detail, name="application"),
    path(A + "edit/<str:step>/", applications.application_step, name="application_step"),
    path(A + "submit/", applications.application_submit, name="application_submit"),
    path(A + "withdraw/", applications.application_withdraw, name="application_withdraw"),
    path(A + "files/<int:file_pk>/", applications.application_file, name="application_file"),
    path(A + "new-dates/", applications.new_dates, name="new_dates"),
    path(A + "application.pdf", assessment.application_pdf, name="application_pdf"),
    path(A + "conflict/", assessment.conflict, name="conflict"),
    path(A + "score/", assessment.score, name="score"),
    path(A + "notes/", assessment.note_add, name="note_add"),
    path(A + "decide/", assessment.decide, name="decide"),
]

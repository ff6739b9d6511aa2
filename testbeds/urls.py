from django.urls import path

from . import confirm_views, views

app_name = "testbeds"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/pause/", views.pause, name="pause"),
    path("<slug:slug>/retire/", confirm_views.retire, name="retire"),
    path("<slug:slug>/photos/new/", views.photo_add, name="photo_add"),
    path("<slug:slug>/photos/<int:pk>/edit/", views.photo_edit, name="photo_edit"),
    path("<slug:slug>/photos/<int:pk>/move/", views.photo_move, name="photo_move"),
    path("<slug:slug>/photos/<int:pk>/remove/", confirm_views.photo_remove, name="photo_remove"),
    path("<slug:slug>/closures/new/", views.blackout_add, name="blackout_add"),
    path(
        "<slug:slug>/closures/<int:pk>/remove/",
        confirm_views.blackout_remove,
        name="blackout_remove",
    ),
    path("<slug:slug>/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("<slug:slug>/questions/new/", views.question_add, name="question_add"),
    path(
        "<slug:slug>/questions/<int:pk>/archive/",
        confirm_views.question_archive,
        name="question_archive",
    ),
]

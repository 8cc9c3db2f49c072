from django.urls import path

from gamyeong.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.rooms, name="rooms"),
    path("calendar/", views.calendar, name="calendar"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("operator/", views.operator_day, name="operator"),
    path("bookings/<int:pk>/check-<slug:what>/", views.attendance, name="attendance"),
    path("workspaces/<slug:code>/", views.workspace_page, name="workspace"),
    path("workspaces/<slug:code>/record/", views.record_page, name="record"),
    path("workspaces/<slug:code>/jobs/<int:pk>/", views.job_page, name="job"),
    path("workspaces/<slug:code>/jobs/<int:pk>/<slug:what>/", views.job_action, name="job_action"),
    path("workspaces/<slug:code>/dummy/<str:name>", views.dummy_file, name="dummy"),
]

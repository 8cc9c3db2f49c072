from django.urls import path

from gamyeong.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.rooms, name="rooms"),
    path("calendar/", views.calendar, name="calendar"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("operator/", views.operator_day, name="operator"),
    path("bookings/<int:pk>/check-<slug:what>/", views.attendance, name="attendance"),
]

from django.urls import path

from gamyeong.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/", views.procedures, name="procedures"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

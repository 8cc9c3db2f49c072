from django.urls import path

from gamyeong.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.rooms, name="rooms"),
]

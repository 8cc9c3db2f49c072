from django.urls import path

from gamyeong.combination import views

app_name = "combination"

urlpatterns = [
    path("", views.home, name="home"),
    path("example/", views.example, name="example"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/status/", views.status, name="status"),
    path("<slug:slug>/steps/<slug:code>/", views.step, name="step"),
]

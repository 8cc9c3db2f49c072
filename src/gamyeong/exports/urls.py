from django.urls import path

from gamyeong.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:reference>/", views.detail, name="detail"),
    path("<slug:reference>/download/", views.download, name="download"),
    path("<slug:reference>/<slug:what>/", views.act, name="act"),
]

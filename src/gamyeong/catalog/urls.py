from django.urls import path

from gamyeong.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("datasets/<slug:name>/", views.dataset_detail, name="dataset"),
]

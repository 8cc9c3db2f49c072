from django.urls import path

from gamyeong.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("inbox/", views.inbox, name="inbox"),
    path("<slug:reference>/", views.detail, name="detail"),
    path("<slug:reference>/edit/", views.edit, name="edit"),
    path("<slug:reference>/items/", views.items, name="items"),
    path("<slug:reference>/co-researchers/", views.co_researchers, name="co_researchers"),
    path("<slug:reference>/documents/", views.upload, name="upload"),
    path("<slug:reference>/documents/<int:pk>/", views.document, name="document"),
    path("<slug:reference>/comments/", views.comment, name="comment"),
    path("<slug:reference>/register-combination/", views.register_combination, name="register"),
    path("<slug:reference>/actions/<slug:code>/", views.act, name="act"),
]

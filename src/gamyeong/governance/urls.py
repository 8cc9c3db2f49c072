from django.urls import path

from gamyeong.governance import views

app_name = "governance"

urlpatterns = [
    path("cases/", views.cases, name="cases"),
    path("audit/", views.audit_trail, name="audit"),
]

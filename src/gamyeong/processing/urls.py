from django.urls import path

from gamyeong.processing import views

app_name = "processing"

urlpatterns = [
    path("", views.home, name="home"),
    path("datasets/<slug:name>/policies/new/", views.policy_new, name="policy_new"),
    path("policies/<int:pk>/", views.policy_detail, name="policy"),
    path("policies/<int:pk>/run/", views.policy_run, name="policy_run"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/<int:pk>/report.html", views.report_html, name="report_html"),
    path("runs/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]

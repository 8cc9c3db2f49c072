from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from gamyeong.web import views
from gamyeong.web.middleware import public

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/", views.procedures, name="procedures"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "favicon.ico",
        public(RedirectView.as_view(url=static("gamyeong/img/favicon.svg"), permanent=True)),
        name="favicon",
    ),
]

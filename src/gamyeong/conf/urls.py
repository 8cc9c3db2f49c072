from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from gamyeong.api.main import urls as api_urls
from gamyeong.web.middleware import public

urlpatterns = [
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("accounts/", include("gamyeong.accounts.urls")),
    path("api/", api_urls()),
    path("applications/", include("gamyeong.applications.urls")),
    path("admin/", admin.site.urls),
    path("catalog/", include("gamyeong.catalog.urls")),
    path("combination/", include("gamyeong.combination.urls")),
    path("exports/", include("gamyeong.exports.urls")),
    path("governance/", include("gamyeong.governance.urls")),
    path("processing/", include("gamyeong.processing.urls")),
    path("rooms/", include("gamyeong.workspace.urls")),
    path("", include("gamyeong.web.urls")),
]

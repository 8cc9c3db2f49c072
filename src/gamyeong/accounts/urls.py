from django.urls import path

from gamyeong.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("verify/", views.verify_view, name="verify"),
    path("totp/setup/", views.totp_setup_view, name="totp_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("tokens/", views.tokens_view, name="tokens"),
]

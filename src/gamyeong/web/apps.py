from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gamyeong.web"
    label = "web"
    verbose_name = "Portal"

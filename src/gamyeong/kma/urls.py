"""The KMA service's URLconf: its API only (``gamyeong kma serve`` serves nothing else)."""

from django.urls import path

from gamyeong.kma.api import api

urlpatterns = [path("kma/api/", api.urls)]

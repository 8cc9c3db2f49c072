from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Applications for data (이용신청): the single-source and combination procedures."""

    name = "gamyeong.applications"
    label = "applications"
    verbose_name = _("Applications")

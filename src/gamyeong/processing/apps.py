from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessingConfig(AppConfig):
    name = "gamyeong.processing"
    label = "processing"
    verbose_name = _("Pseudonymization and adequacy review")

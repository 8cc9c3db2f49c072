from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KmaConfig(AppConfig):
    """The key-management agency's own service (결합키관리기관): its own database alias ("kma"),
    vault and HTTP API, run by `gamyeong kma serve`."""

    name = "gamyeong.kma"
    label = "kma"
    verbose_name = _("Key-management agency")

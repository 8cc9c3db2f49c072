from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Export review (반출심사): only reviewed and approved outputs leave the closed room."""

    name = "gamyeong.exports"
    label = "exports"
    verbose_name = _("Export review")

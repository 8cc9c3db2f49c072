from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CombinationConfig(AppConfig):
    """The combination procedure's screens for each party (결합 절차)."""

    name = "gamyeong.combination"
    label = "combination"
    verbose_name = _("Combination")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "gamyeong.workspace"
    label = "workspace"
    verbose_name = _("Closed analysis environment")

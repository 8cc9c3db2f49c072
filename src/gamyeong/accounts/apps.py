from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gamyeong.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gamyeong.accounts.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="gamyeong.sync_role_groups")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Hooks are connected once the app registry is ready (AppConfig.ready).
        from django.core import checks
        from django.db.models.signals import post_migrate, pre_save

        from accounts.models import User
        from accounts.roles import ensure_role_groups
        from accounts.signals import revoke_token_on_credential_change
        from servicedesk.startup import check_secret_key

        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
        pre_save.connect(
            revoke_token_on_credential_change,
            sender=User,
            dispatch_uid="accounts.revoke_token_on_credential_change",
        )
        checks.register(check_secret_key, checks.Tags.security, deploy=True)

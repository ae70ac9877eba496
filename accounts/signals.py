"""Credential changes revoke the user's API token.

Connected in ``AccountsConfig.ready``. Any save of a ``User`` that changes the stored
password hash (``set_password`` + ``save``, a password reset, ``set_unusable_password``,
``changepassword``) or turns ``is_active`` off deletes the user's token in the same
transaction. Sessions need nothing here: Django's session auth hash is derived from the
password hash, and inactive users are refused by the authentication backend.

Limits: ``QuerySet.update()`` sends no signal (``log_out_everywhere`` deletes the token
itself); a password-hasher upgrade on sign-in rewrites the hash and so also revokes the
token, which errs on the safe side. If the save then fails, the token is gone anyway.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token

from accounts.models import User

_WATCHED = frozenset({"password", "is_active"})


def revoke_token_on_credential_change(
    sender: type[User],
    instance: User,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not _WATCHED & set(update_fields):
        return  # e.g. ``last_login`` on every sign-in: no extra query
    stored = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    password_changed = stored["password"] != instance.password
    deactivated = stored["is_active"] and not instance.is_active
    if password_changed or deactivated:
        Token.objects.filter(user_id=instance.pk).delete()

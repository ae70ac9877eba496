"""Writes to accounts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User


def set_user_language(user: User, language: str) -> None:
    """Remember the user's interface language (``zh-hans`` or ``en``)."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- API tokens -------------------------------------------------------------------------------
#
# One token per user (DRF's ``authtoken.Token``, keyed by the user). Its lifecycle:
#   issued    by ``issue_api_token`` (POST /api/v1/auth/token/ with username and password);
#   expires   ``API_TOKEN_TTL_DAYS`` after it was issued (``token_expires_at``); the
#             authentication class refuses and deletes it on its next use, and the next
#             request for a token issues a new key;
#   revoked   by ``revoke_api_token`` (DELETE /api/v1/auth/token/, the profile page), by
#             ``log_out_everywhere``, and by any save of the user that changes the password
#             hash or deactivates the user (``accounts.signals``).


def token_expires_at(token: Token) -> dt.datetime:
    """When ``token`` stops working; ``API_TOKEN_TTL_DAYS`` is read now (override_settings)."""
    created: dt.datetime = token.created
    return created + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)


def is_token_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


def issue_api_token(user: User) -> Token:
    """The user's live token, or a new one (new random key) when there is none or it expired.

    The row is locked so two concurrent requests for an expired token do not both replace
    it; an expired key is never handed out again.
    """
    with transaction.atomic():
        token, created = Token.objects.select_for_update(no_key=True).get_or_create(user=user)
        if not created and is_token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
    return token


def revoke_api_token(user: User) -> bool:
    """Delete the user's token; ``True`` if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0


def log_out_everywhere(user: User) -> None:
    """End every session of ``user`` (on every device) and revoke their API token.

    Sessions are not looked up one by one (they may live in any session store): bumping
    ``session_generation`` changes the session auth hash, so Django drops each of them on
    its next request. The caller logs the current request out itself.
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        Token.objects.filter(user=user).delete()
    user.refresh_from_db(fields=["session_generation"])

"""Writes to accounts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
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


# --- IM accounts ---------------------------------------------------------------------------
#
# A message from an IM account nobody linked is answered (``channels``) with a link to the
# profile page carrying a signed token of (provider, IM id), sent to that IM account alone:
# whoever opens it holds the IM account, and confirming it while signed in proves the desk
# account too. Typing an id by hand would let anyone claim someone else's IM account (and
# read what they send the desk). Admins set ids in bulk from a CSV file.

# provider (``channels.choices.Provider``) -> the ``User`` field holding its id
IM_ID_FIELDS = {
    "wecom": "wecom_id",
    "dingtalk": "dingtalk_id",
    "feishu": "feishu_id",
    "slack": "slack_id",
}
IM_LINK_SALT = "accounts.im-link"
IM_LINK_MAX_AGE = 3 * 24 * 3600  # seconds a link from the desk's IM answer stays usable


def im_id_label(provider: str) -> str:
    """ "WeCom ID" …: the label of the provider's field, in the active language."""
    return str(getattr(User._meta.get_field(IM_ID_FIELDS[provider]), "verbose_name", provider))


def im_id_max_length(provider: str) -> int:
    return int(getattr(User._meta.get_field(IM_ID_FIELDS[provider]), "max_length", 0) or 0)


def im_link_token(provider: str, im_id: str) -> str:
    """A signed, time-stamped token naming one IM account, for the profile page's link."""
    if provider not in IM_ID_FIELDS or not im_id:
        raise ValueError("a provider and an IM id are needed")
    return signing.dumps({"p": provider, "id": im_id}, salt=IM_LINK_SALT, compress=True)


def read_im_link(token: str) -> tuple[str, str] | None:
    """(provider, IM id) of a valid, unexpired token; ``None`` for anything else."""
    try:
        data = signing.loads(token, salt=IM_LINK_SALT, max_age=IM_LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    provider, im_id = data.get("p"), data.get("id")
    if provider not in IM_ID_FIELDS or not isinstance(im_id, str) or not im_id:
        return None
    return provider, im_id


def im_id_taken(provider: str, im_id: str, *, besides: int | None = None) -> bool:
    """Whether another active person has this IM id (an id must name one person)."""
    taken = User.objects.filter(is_active=True, **{IM_ID_FIELDS[provider]: im_id})
    if besides is not None:
        taken = taken.exclude(pk=besides)
    return taken.exists()


def link_im_account(user: User, token: str) -> str:
    """Set the IM id the token names on ``user``; the provider. A ``ValidationError`` on
    ``link`` for a bad or expired token, or an id another active person already has."""
    found = read_im_link(token)
    if found is None:
        raise ValidationError(
            {"link": _("This link is not valid or has expired: send the desk a message again.")}
        )
    provider, im_id = found
    field = IM_ID_FIELDS[provider]
    if len(im_id) > im_id_max_length(provider):
        raise ValidationError({"link": _("This IM account's id is too long to be linked.")})
    with transaction.atomic():
        # Two people confirming the same id at once: the second waits here, then sees it taken.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"im:{provider}:{im_id}"])
        if im_id_taken(provider, im_id, besides=user.pk):
            raise ValidationError(
                {"link": _("This IM account is linked to another person: ask IT support.")}
            )
        User.objects.filter(pk=user.pk).update(**{field: im_id})
    setattr(user, field, im_id)
    return provider


def unlink_im_account(user: User, provider: str) -> bool:
    """Forget ``user``'s id for ``provider``; ``True`` if there was one."""
    field = IM_ID_FIELDS.get(provider)
    if field is None or not getattr(user, field):
        return False
    User.objects.filter(pk=user.pk).update(**{field: ""})
    setattr(user, field, "")
    return True

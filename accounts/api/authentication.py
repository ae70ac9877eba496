"""Token authentication that refuses expired tokens (``API_TOKEN_TTL_DAYS``).

Named in ``REST_FRAMEWORK`` settings, so DRF may import it before the app registry is
ready: models are imported inside the method, as DRF's own ``TokenAuthentication`` does.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, plus expiry.

    DRF already refuses unknown keys and inactive users. An expired token is deleted on
    the spot, so it can never come back to life (for instance when the TTL is raised).
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # Here, not at the top: DRF imports this class from settings, maybe before models.
        from accounts.services import is_token_expired, revoke_api_token

        user, token = super().authenticate_credentials(key)
        if is_token_expired(token):
            revoke_api_token(user)
            raise exceptions.AuthenticationFailed(_("Token has expired."))
        return user, token

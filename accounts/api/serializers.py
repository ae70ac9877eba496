from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from accounts.models import User

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


class TokenRequestSerializer(AuthTokenSerializer):
    """Username and password; a username longer than any account's is refused as a field
    error before it reaches authentication (django-axes would fail to record it: a 500)."""

    username = serializers.CharField(
        label=_("Username"), write_only=True, max_length=USERNAME_MAX_LENGTH
    )


class TokenSerializer(serializers.Serializer[None]):
    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)

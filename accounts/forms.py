from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from accounts.models import User


def _limit_username(form: AuthenticationForm) -> None:
    limit = User._meta.get_field("username").max_length
    if limit is not None:
        form.fields["username"].validators.append(MaxLengthValidator(limit))


class LoginForm(AuthenticationForm):
    """Django's sign-in form, refusing an over-long username as a field error.

    Django sets the username field's ``max_length`` after the field is built, so no length
    validator runs and any length reaches ``authenticate()``; django-axes then fails to
    record the failed attempt (its column holds 255 characters) and the page answers 500.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_username(self)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in form (staff only), with the same username limit as ``LoginForm``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_username(self)

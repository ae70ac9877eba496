from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from accounts.models import User


class LoginForm(AuthenticationForm):
    """Django's sign-in form, refusing an over-long username as a field error.

    Django sets the username field's ``max_length`` after the field is built, so no length
    validator runs and any length reaches ``authenticate()``; django-axes then fails to
    record the failed attempt (its column holds 255 characters) and the page answers 500.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = User._meta.get_field("username").max_length
        if limit is not None:
            self.fields["username"].validators.append(MaxLengthValidator(limit))

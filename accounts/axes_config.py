"""django-axes (sign-in protection) under a name people understand, in their language.

Its own module: an ``apps.py`` with two configurations would leave Django unsure which
is the accounts app's.
"""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class SignInProtectionConfig(AxesConfig):  # type: ignore[misc]  # axes ships no types
    verbose_name = _("Sign-in protection")

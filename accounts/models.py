"""People and places: the custom user, the sites (offices) and departments."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Upper
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    """An office or branch. Tickets are filed against a site; local IT contacts live here."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    local_it_contacts = models.TextField(_("local IT contacts (notes)"), blank=True)
    # The people who serve this site on the spot (R7.2): its tickets can be routed to them,
    # visits at the site are theirs.
    local_contacts = models.ManyToManyField(
        "accounts.User",
        blank=True,
        related_name="sites_served",
        verbose_name=_("local IT contacts"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["name", "site"], name="accounts_department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


# The IM ids the intake looks a sender up by, on every message (``channels``).
IM_ID_COLUMNS = ("wecom_id", "dingtalk_id", "feishu_id", "slack_id")
# The name columns the caller lookup searches inside (``column ILIKE '%…%'``, by trigram).
NAME_COLUMNS = ("display_name", "username", "first_name", "last_name")


class User(AbstractUser):
    """A person who uses the desk. Roles are groups (see ``accounts.roles``)."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The phone's digits alone ("+86 138-0013 8000" → "8613800138000"), kept by the database:
    # the caller lookup matches a typed number here, whatever spaces and dashes either has.
    phone_digits = models.GeneratedField(
        expression=Func(
            F("phone"), Value("[^0-9]+"), Value(""), Value("g"), function="REGEXP_REPLACE"
        ),
        output_field=models.CharField(max_length=32),
        db_persist=True,
    )
    # The staff number (工号) on the badge: callers give it on the phone.
    employee_id = models.CharField(
        _("employee ID"),
        max_length=32,
        blank=True,
        help_text=_("The staff number on the badge; unique when given (letter case aside)."),
    )
    wecom_id = models.CharField(_("WeCom ID"), max_length=64, blank=True)
    dingtalk_id = models.CharField(_("DingTalk ID"), max_length=64, blank=True)
    feishu_id = models.CharField(_("Feishu ID"), max_length=64, blank=True)
    slack_id = models.CharField(_("Slack ID"), max_length=64, blank=True)
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("site")
    )
    # An engineer limited to some sites sees only their tickets (empty: every site).
    limited_to_sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="limited_staff",
        verbose_name=_("works only for these sites"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("department"),
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, blank=True)
    # Bumped by "log out everywhere" (``accounts.services.log_out_everywhere``): it is part
    # of the session auth hash, so every session signed in before the bump stops matching.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # django-stubs types AbstractUser.Meta's names as str; Django's own are lazy too.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        constraints = [
            # Letter case aside, among non-empty ids. Its index also answers the caller
            # lookup's prefix search, as a range of ``UPPER(employee_id)``.
            models.UniqueConstraint(
                Upper("employee_id"),
                condition=~Q(employee_id=""),
                name="accounts_user_employee_id_unique",
                violation_error_message=_("Another person already has this employee ID."),
            ),
        ]
        indexes = [
            *(
                models.Index(fields=[column], condition=~Q(**{column: ""}), name=f"user_{column}")
                for column in IM_ID_COLUMNS
            ),
            *(
                GinIndex(fields=[column], opclasses=["gin_trgm_ops"], name=f"user_{column}_trgm")
                for column in (*NAME_COLUMNS, "phone_digits")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    # Sessions: Django stores a hash of the password hash in each session and drops the
    # session when it no longer matches (a password change ends every session). Mixing in
    # ``session_generation`` lets "log out everywhere" do the same without a new password.
    # Generation 0 gives Django's own hash, so existing sessions survive the upgrade.
    def get_session_auth_hash(self) -> str:
        return self._session_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    def _session_hash(self, *, secret: str | bytes | None) -> str:
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password
        if self.session_generation:
            value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


# Whoever makes a request: a signed-in user, or nobody (pages behind login and the API's
# IsAuthenticated narrow it to ``User`` before calling a service).
AnyUser = User | AnonymousUser

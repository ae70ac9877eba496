"""Settings, read once from the environment (see ``.env.example``)."""

from __future__ import annotations

import secrets
from pathlib import Path

import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from servicedesk.env import (
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_secret,
    env_str,
)

# Django's generic classes subscripted at runtime as django-stubs types them
# (``admin.ModelAdmin[Ticket]``, ``forms.ModelChoiceField[Category]``): before any app loads.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless asked for: a deployment that forgets DEBUG gets production behaviour, never the
# debug pages. `make run` and the test settings turn it on for local work.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY").strip()
# With DEBUG off a missing key stops the processes that sign things (web, worker, beat:
# ``servicedesk.startup.require_secret_key``) and fails ``check --deploy``; commands that sign
# nothing (migrate, makemigrations, compilemessages, check) still run. An empty SECRET_KEY
# makes Django itself refuse any use of it.
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
if not SECRET_KEY and DEBUG:
    # DEBUG on and no key: a random one for this process only, so no key the code publishes
    # can ever sign anything (sessions do not survive a restart; scripts/run.sh sets a key).
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "accounts.axes_config.SignInProtectionConfig",  # django-axes, named for people
    "csp",
    "accounts",
    "sla",
    "notifications",
    "assets",
    "tickets",
    "fieldwork",
    "vendors",
    "incidents",
    "channels",
    "people",
    "knowledge",
    "feedback",
    "training",
    "reports",
    "demo",
    # Last: the operations wiring (heartbeats, desk-wide counters) hooks into the apps above.
    "servicedesk.apps.ServicedeskConfig",
]

MIDDLEWARE = [
    # First: /healthz, /readyz and /metrics, answered before host checks and redirects.
    "servicedesk.middleware.ProbeMiddleware",
    # One JSON log line and the metrics of every other request, with its request id.
    "servicedesk.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early: refuses a body whose Content-Length exceeds the upload limit before it is read.
    "servicedesk.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Under /api/ every 4xx/5xx is JSON; NUL in a query parameter is refused by name.
    "servicedesk.lib.api_http.JsonApiErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.notifications",
                # The staff banner while a major incident is open (lazy: one query at most).
                "incidents.context_processors.incidents",
            ],
            "builtins": ["servicedesk.template_builtins"],
        },
    },
]
# Django's form renderer, with the common widgets rendered in Python (same markup).
FORM_RENDERER = "servicedesk.form_renderer.FastWidgetRenderer"

DATABASES = {
    "default": database_from_url("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/servicedesk")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# django-migration-linter, run by `make test` (tests/ops/migration_lint.py): every new
# migration must be safe while the previous release still serves (docs/operations.md,
# "Zero-downtime migrations"). Not linted: the third-party apps' migrations (not ours to
# change), and these released ones it flags — they ran on every desk before the linter
# (v0.1.0). The list is closed: a new migration that fails is fixed, not added here.
MIGRATION_LINTER_OPTIONS = {
    "exclude_apps": ["authtoken", "axes", "django_celery_beat"],
    "ignore_name": [
        "0002_user_session_generation",  # accounts: NOT NULL column, default dropped
        "0004_user_employee_id_and_lookup_indexes",  # accounts: the same, a unique index
        "0003_retriage_rule",  # sla: NOT NULL column, default dropped
        "0003_sla",  # tickets: NOT NULL columns, indexes on tickets_ticket
        "0006_queue_due",  # tickets: indexes on tickets_ticket, not CONCURRENTLY
        "0008_bench_indexes",  # tickets: the same
        "0011_move_sla_and_notifications",  # tickets: a column dropped (moved apps)
        "0013_attachment_uploader_index",  # tickets: index on tickets_attachment
        "0014_search_links_watchers_canned_views",  # tickets: indexes on tickets_ticket
        "0018_site_indexes",  # tickets: the same
        "0020_assign_note",  # tickets: NOT NULL column, default dropped
        "0021_escalation_ladder",  # tickets: indexes on tickets_ticket
    ],
}

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "servicedesk",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses logins from a locked-out username/address before checking a password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files are private: there is no MEDIA_URL route; they are served only
# through the permission-checked attachment view.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_PERMISSIONS = 0o640

_email = email_from_url("EMAIL_URL", "console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "servicedesk@example.com")
# Whether the desk's mail server delivers ``desk+anything@`` to ``desk@`` (plus addressing):
# then a notification's Reply-To carries its reply token; else only its subject does.
EMAIL_PLUS_ADDRESSING = env_bool("EMAIL_PLUS_ADDRESSING", True)
# The address people use to reach this desk, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Security headers; production switches are environment-driven.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp 4): scripts, styles and fonts only from this site.
# The pages have no inline scripts or styles; htmx's own indicator styles are turned off
# in base.html so it needs none either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's token, refused (and deleted) API_TOKEN_TTL_DAYS after it was issued.
        "accounts.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON bodies bounded in size and depth, storable text only (servicedesk/lib/api_http.py).
    "DEFAULT_PARSER_CLASSES": [
        "servicedesk.lib.api_http.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The browsable API is offered only while DEBUG is on (decided per request).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "servicedesk.lib.api_http.JsonUnlessDebugNegotiation",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tickets.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service desk API",
    "DESCRIPTION": "Tickets, their lifecycle, messages, attachments and timeline.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the vendored sidecar package: nothing is fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind", "state" or "status" of their own: name each set.
    "ENUM_NAME_OVERRIDES": {
        "AssetKindEnum": "assets.models.AssetKind",
        "TicketStateEnum": "tickets.choices.TicketState",
        "IncidentStatusEnum": "incidents.choices.IncidentStatus",
        "ArticleStatusEnum": "knowledge.choices.ArticleStatus",
        "ScriptKindEnum": "knowledge.choices.ScriptKind",
        "TrainingKindEnum": "training.choices.TrainingKind",
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_PUBLISH_RETRY = False
# Publishing from a web request must fail fast when Redis is unreachable (the outbox's
# dispatch_pending sends what was not handed on). Two things bound it: redis-py's
# socket_connect_timeout (one attempt against a host that does not answer) and kombu's
# connect loop in Connection.default_channel, which otherwise retries with 2 s, 4 s … sleeps
# until broker_connection_timeout has passed (about 6 s): max_retries=0 makes it give up
# after the first failed attempt. Workers are unaffected: their consumer reconnects with
# its own retry policy (broker_connection_retry, broker_connection_max_retries).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 5,
    "max_retries": 0,
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # SLA_SWEEP_SECONDS: how often beat runs every registered sweep of a timed obligation
    # (30 s; the reliability tests go faster).
    "sla.tasks.run_sweeps": {
        "task": "sla.tasks.run_sweeps",
        "schedule": float(env_int("SLA_SWEEP_SECONDS", 30)),
    },
    "notifications.tasks.dispatch_pending": {
        "task": "notifications.tasks.dispatch_pending",
        "schedule": 60.0,
    },
    # Digests whose window (or the person's quiet hours) ended are told (notifications.digests).
    "notifications.tasks.close_digests": {
        "task": "notifications.tasks.close_digests",
        "schedule": 60.0,
    },
    # Notifications and digests older than NOTIFY_RETENTION_DAYS (notifications.retention).
    "notifications.tasks.purge_old_notifications": {
        "task": "notifications.tasks.purge_old_notifications",
        "schedule": crontab(minute=40, hour=3),
    },
    # The group robots' posts a lost task, a broker outage or a rate limit left behind.
    "channels.dispatch_robot_posts": {
        "task": "channels.dispatch_robot_posts",
        "schedule": 60.0,
    },
    "tickets.tasks.auto_verify_resolved": {
        "task": "tickets.tasks.auto_verify_resolved",
        "schedule": 3600.0,
    },
    # E-mail in: the unseen mail of IMAP_URL's mailbox (nothing while IMAP_URL is empty).
    "channels.poll_imap": {
        "task": "channels.poll_imap",
        "schedule": float(env_int("IMAP_POLL_SECONDS", 60)),
    },
    # IM intake: each inbound event is remembered 7 days (providers retry within one).
    "channels.purge_inbound": {
        "task": "channels.purge_inbound",
        "schedule": crontab(minute=20, hour=3),
    },
    # Reports (in the desk's zone, CELERY_TIMEZONE): the weekly problem review and summary
    # on Monday morning, the monthly audit and summary on the first days of the month (the
    # tasks themselves wait for the first working day).
    "reports.generate_weekly_review": {
        "task": "reports.generate_weekly_review",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # The audit is drawn on the month's first working day, which a long holiday pushes past
    # the 7th (National Day 2025: 9 October); the task itself acts once, from that day on.
    "reports.draw_monthly_audit": {
        "task": "reports.draw_monthly_audit",
        "schedule": crontab(minute=0, hour=7, day_of_month="1-14"),
    },
    "reports.send_weekly_summary": {
        "task": "reports.send_weekly_summary",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon"),
    },
    # Likewise the monthly summary: sent once, from the month's first working day on.
    "reports.send_monthly_summary": {
        "task": "reports.send_monthly_summary",
        "schedule": crontab(minute=30, hour=7, day_of_month="1-14"),
    },
}
# A sweep that finds a full batch re-enqueues itself for the next one, at most this many
# times per beat tick; what is left waits for the next tick.
SLA_SWEEP_MAX_BATCHES = env_int("SLA_SWEEP_MAX_BATCHES", 50)
# Beat's scheduler: django-celery-beat's, touching BEAT_HEARTBEAT_FILE on every tick (the
# beat container's healthcheck reads its age; empty: no file).
CELERY_BEAT_SCHEDULER = "servicedesk.beat:HeartbeatScheduler"
BEAT_HEARTBEAT_FILE = env_str("BEAT_HEARTBEAT_FILE")
# Workers and beat log through LOGGING below (one JSON line per task), not Celery's format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Operations (docs/operations.md). /metrics answers callers from these networks (CIDRs) or
# with "Authorization: Bearer <METRICS_TOKEN>" (empty: no token is accepted).
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_secret("METRICS_TOKEN")

# App tunables, read at call time via django.conf.settings.
# API tokens stop working this many days after they were issued (accounts.services).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
# Password reset requests allowed per e-mail address and per client address within the
# window; more get a "try again later" answer (the same for known and unknown addresses).
PASSWORD_RESET_MAX_PER_ADDRESS = env_int("PASSWORD_RESET_MAX_PER_ADDRESS", 5)
PASSWORD_RESET_MAX_PER_CLIENT = env_int("PASSWORD_RESET_MAX_PER_CLIENT", 20)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)
TICKETS_MAX_ATTACHMENT_MB = env_int("TICKETS_MAX_ATTACHMENT_MB", 20)
# How often a requester's open ticket page re-reads the engineer's progress (seconds).
FIELDWORK_PROGRESS_POLL_SECONDS = env_int("FIELDWORK_PROGRESS_POLL_SECONDS", 15)
# Digests (notifications.digests): past this many notifications of one kind for one person
# within a window of this many minutes, the rest are folded into one message per channel,
# sent when the window closes. High and urgent ones (a high-priority breach) never fold.
NOTIFY_DIGEST_THRESHOLD = env_int("NOTIFY_DIGEST_THRESHOLD", 5)
NOTIFY_DIGEST_WINDOW_MINUTES = env_int("NOTIFY_DIGEST_WINDOW_MINUTES", 10)
# Notifications done with (sent, or given up) and digests told more than this many days ago
# are deleted, digests with their items (notifications.retention, daily); 0 keeps them all.
NOTIFY_RETENTION_DAYS = env_int("NOTIFY_RETENTION_DAYS", 90)
# Upload limits (SECURITY.md "Upload limits"): files and megabytes one request may carry
# (a body announcing more is refused with 413 before it is read), the total on one ticket,
# and what one person may upload per calendar day in TIME_ZONE.
ATTACHMENTS_PER_REQUEST = env_int("ATTACHMENTS_PER_REQUEST", 10)
ATTACHMENTS_REQUEST_MB = env_int("ATTACHMENTS_REQUEST_MB", 50)
ATTACHMENTS_TICKET_MB = env_int("ATTACHMENTS_TICKET_MB", 200)
ATTACHMENTS_USER_DAY_MB = env_int("ATTACHMENTS_USER_DAY_MB", 500)
if ATTACHMENTS_REQUEST_MB < TICKETS_MAX_ATTACHMENT_MB:
    raise ImproperlyConfigured("ATTACHMENTS_REQUEST_MB must be at least TICKETS_MAX_ATTACHMENT_MB")
# The multipart parser's hard stop (a 400 before anything is stored). Twice the per-request
# limit, so someone who picks a few files too many is told the limit by name instead.
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * ATTACHMENTS_PER_REQUEST
TICKETS_AUTO_VERIFY_DAYS = env_int("TICKETS_AUTO_VERIFY_DAYS", 3)
# Satisfaction surveys (feedback): a verified ticket closes after this many working days
# without an answer; an answer may be changed for this many calendar days.
FEEDBACK_SURVEY_CLOSE_DAYS = env_int("FEEDBACK_SURVEY_CLOSE_DAYS", 3)
FEEDBACK_SURVEY_EDIT_DAYS = env_int("FEEDBACK_SURVEY_EDIT_DAYS", 7)
# Knowledge base: a published article unchanged for this many days is listed for review.
KNOWLEDGE_STALE_DAYS = env_int("KNOWLEDGE_STALE_DAYS", 365)
# The monthly process audit draws this many of last month's closed tickets.
REPORTS_AUDIT_SAMPLE_SIZE = env_int("REPORTS_AUDIT_SAMPLE_SIZE", 20)
# The weekly problem review groups the week's tickets with those of this many weeks before
# ("3 printer jams this month"); 0 looks at the week alone.
REPORTS_REVIEW_LOOKBACK_WEEKS = env_int("REPORTS_REVIEW_LOOKBACK_WEEKS", 3)
# PostgreSQL's work_mem for one report's statement: a year of a million-ticket desk sorts
# ~320,000 rows for its medians, in memory at 64 MB (on disk, twice as slow, at the default).
REPORTS_WORK_MEM = env_str("REPORTS_WORK_MEM", "64MB")
# A requester may reopen a ticket closed as completed for this many calendar days after
# closing; later, "report a related problem" files a follow-up linked to it.
TICKETS_REOPEN_DAYS = env_int("TICKETS_REOPEN_DAYS", 7)
TICKETS_QUEUE_PAGE_SIZE = env_int("TICKETS_QUEUE_PAGE_SIZE", 50)
# R7.2: a ticket filed at a site with local IT contacts is assigned to one of them (off: they
# are told, and the dispatch form lists them first).
TICKETS_ROUTE_TO_LOCAL_CONTACT = env_bool("TICKETS_ROUTE_TO_LOCAL_CONTACT", False)
# Automatic assignment of new tickets by skill, site and working hours (people.assignment):
# off, round_robin (strict turns) or least_loaded (fewest open tickets weighted by priority).
# A site may override it in the admin (people.SiteAssignment). When it assigns nobody, the
# local-contact routing above still applies.
TICKETS_AUTO_ASSIGN = env_str("TICKETS_AUTO_ASSIGN", "off")
if TICKETS_AUTO_ASSIGN not in ("off", "round_robin", "least_loaded"):
    raise ImproperlyConfigured("TICKETS_AUTO_ASSIGN must be off, round_robin or least_loaded")
# IM intake (channels/<provider>/intake.py): each provider's own secrets for verifying its
# callbacks at /api/v1/intake/im/<provider>/. Unset: that provider's callbacks are refused.
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET")
FEISHU_VERIFICATION_TOKEN = env_str("FEISHU_VERIFICATION_TOKEN")
FEISHU_ENCRYPT_KEY = env_str("FEISHU_ENCRYPT_KEY")
DINGTALK_APP_SECRET = env_str("DINGTALK_APP_SECRET")
WECOM_TOKEN = env_str("WECOM_TOKEN")
WECOM_ENCODING_AES_KEY = env_str("WECOM_ENCODING_AES_KEY")
WECOM_CORP_ID = env_str("WECOM_CORP_ID")
# IM outbound (channels/<provider>/transport.py): direct messages to people's IM IDs with
# each provider's app credentials (tokens cached until they expire). A provider without
# them gets no notification rows. The API bases are settings so tests point them at a
# local server; group robots' webhooks are configured in the admin (channels.Robot).
SLACK_BOT_TOKEN = env_str("SLACK_BOT_TOKEN")
SLACK_API_BASE = env_str("SLACK_API_BASE", "https://slack.com/api")
FEISHU_APP_ID = env_str("FEISHU_APP_ID")
FEISHU_APP_SECRET = env_str("FEISHU_APP_SECRET")
FEISHU_API_BASE = env_str("FEISHU_API_BASE", "https://open.feishu.cn/open-apis")
DINGTALK_APP_KEY = env_str("DINGTALK_APP_KEY")
# The robot that sends direct messages (its robotCode; usually the app's AppKey).
DINGTALK_ROBOT_CODE = env_str("DINGTALK_ROBOT_CODE")
DINGTALK_API_BASE = env_str("DINGTALK_API_BASE", "https://api.dingtalk.com")
WECOM_AGENT_ID = env_str("WECOM_AGENT_ID")
WECOM_AGENT_SECRET = env_str("WECOM_AGENT_SECRET")
WECOM_API_BASE = env_str("WECOM_API_BASE", "https://qyapi.weixin.qq.com/cgi-bin")
# Outbound HTTP (channels.http) refuses loopback, private, link-local and reserved
# addresses; hosts named here are let through (tests and development only; empty in
# production).
CHANNELS_ALLOWED_HOSTS = env_list("CHANNELS_ALLOWED_HOSTS")
# E-mail in (channels/email/): the mailbox celery beat polls every IMAP_POLL_SECONDS,
# imaps://user:password@host:993/INBOX (empty: no polling; an MTA may pipe each message to
# manage.py ingest_email instead).
IMAP_URL = env_str("IMAP_URL")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# One line per record on stderr: JSON (servicedesk/jsonlog.py) unless LOG_FORMAT=text; every
# line passes the redaction filter, whoever logs it.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "servicedesk.jsonlog.RedactFilter"}},
    "formatters": {
        "json": {"()": "servicedesk.jsonlog.JsonFormatter"},
        "text": {"()": "servicedesk.jsonlog.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would print every django.* line a second
        # time ("Watching for file changes" twice under make run): the root handler is enough.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # SQL with its parameters (tokens, personal data) is never logged, even at DEBUG.
        "django.db.backends": {"level": "INFO"},
        # The request line (servicedesk.request) replaces runserver's access line and
        # Django's "Not Found: …" warnings; its errors (5xx, with traceback) stay.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # Our task line (servicedesk.task) replaces Celery's "received" / "succeeded" lines;
        # failures keep Celery's traceback.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
    },
}

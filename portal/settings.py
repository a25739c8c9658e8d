"""Settings for every environment, read from the environment (12-factor).

Defaults give the one-command run: SQLite under var/, an embedded Celery broker on the
filesystem, DEBUG off, a secret key generated once under var/. `DEBUG=1` is the developer mode.
Production sets DJANGO_SETTINGS_MODULE=portal.settings_production.
"""
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)



def read_or_create_secret_key(path: Path) -> str:
    """The key kept in `path`, made once (readable by the owner only) and reused afterwards, so
    restarts keep everyone signed in and concurrent first starts agree on one key."""
    import secrets

    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same start wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or read_or_create_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widgets' own templates, behind the overrides in templates/django/forms
    "import_export",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The floors, bottom up (docs/architecture.md); each imports only apps listed before it.
    "core",
    "accounts",
    "branches",
    "imports",
    "members",
    "activities",
    "reports",
    "stats",
    "recruitment",
    "dues",
    "useradmin",
    "cycle",
    "community",
    "reminders",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "useradmin.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "portal.urls"
# Forms render through TEMPLATES, so templates/django/forms overrides a widget (the empty choice
# "---------" reads 请选择).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the Celery worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 30)
    # Writers take the lock when their transaction begins: a deferred transaction that upgrades
    # to a write fails at once with "database is locked" (no busy wait) when another writes.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Figures pages recompute (core.cache) are shared by every web and worker process: Redis in
# production (CACHE_URL=redis://…), a file cache under var/ in the embedded run.
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.redis_cache.RedisCache"  # one client, not one per call
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    # Django's default of 300 entries is culled at random long before an office's figures, menus
    # and per-scope counts fill it; ten thousand small files is still a few megabytes.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 10_000)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.UsernameInPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "useradmin.hashers.InitialPasswordHasher",
    ],
)
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Lock out a username (not an IP: a whole office shares one address) after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Deliberately per username only (axes.W006): an office shares one IP, and locking the IP would
# lock out everyone in it after one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions end after two hours without activity (portal.middleware.SlidingSessionMiddleware moves
# the expiry at most every five minutes instead of writing the session on every request).
# Sessions are read from the cache (Redis in production, shared by every process) and written
# through to the database: one query fewer on every page, and a session survives a cache flush.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 3600)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=300)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# The REST API (api/): every viewset, whichever app registers it (core.registry api_route),
# inherits these: token then session authentication (401 without credentials), the policy door
# for writes, JSON only, pages of 50, django-filter, throttling per user, errors in Chinese.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.PortalAccess"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="30/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
    },
    "EXCEPTION_HANDLER": "api.exceptions.handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "基层党建台账 API",
    "DESCRIPTION": "组织、党员、三会一课与季度报表的接口。认证：Authorization: Token <令牌>（用 "
                   "manage.py api_token 或“接口令牌”页面签发），或已登录的浏览器会话。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.PortalAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",  # vendored: government intranets have no internet
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "members.models.Member.Status",
        "MeetingStatusEnum": "activities.models.Meeting.Status",
        "AttendanceStatusEnum": "activities.models.Attendance.Status",
    },
}

LANGUAGE_CODE = "zh-hans"
# Django messages in the portal's own wording (locale/zh_Hans: password rules, unique errors).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
# Uploaded files live outside the static root and are served only through views that check scope.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# Imports: rows at or above this count run as a Celery job with a progress bar.
IMPORT_ASYNC_THRESHOLD = env.int("IMPORT_ASYNC_THRESHOLD", default=5000)
# Files this large are read by the worker only (the web process never holds their rows).
# Uploaded files are kept this long after their batch is finished (refused files not at all).
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=7)
IMPORT_ASYNC_BYTES = env.int("IMPORT_ASYNC_BYTES", default=4 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Celery. Production: redis://. The default needs no server (kombu's filesystem transport).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# The filesystem broker's folder; the killed-worker tests give each test its own.
_broker_dir = Path(env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # kombu's default is ./control
        "store_processed": False,
    }
else:
    # Must stay above the longest hard time limit, or Redis redelivers a running task.
    # CELERY_VISIBILITY_TIMEOUT exists for the killed-worker test, which needs redelivery in seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 50 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
REPORTS_STALLED_AFTER = env.int("REPORTS_STALLED_AFTER", default=10 * 60)  # seconds
IMPORTS_STALLED_AFTER = env.int("IMPORTS_STALLED_AFTER", default=10 * 60)  # seconds
CELERY_BEAT_SCHEDULE = {
    # Reminders (interfaces.md §8): every morning at 07:00, the day's items to inboxes and e-mail.
    "send-reminders": {
        "task": "reminders.tasks.send_daily_reminders",
        "schedule": crontab(minute="0", hour="7"),
    },
    # Uploaded files are kept for IMPORT_FILE_RETENTION_DAYS, then deleted.
    "import-purge-files": {
        "task": "imports.tasks.purge_import_files",
        "schedule": crontab(minute="15", hour="3"),
    },
    # An import batch or a report whose job was lost with a killed worker is queued again
    # within minutes.
    "import-requeue-stalled": {
        "task": "imports.tasks.requeue_stalled_imports",
        "schedule": crontab(minute="*/3"),
    },
    "report-requeue-stalled": {
        "task": "reports.tasks.requeue_stalled_reports",
        "schedule": crontab(minute="*/3"),
    },
    # The quarter that just ended, for the whole district: 02:00 on Jan 1, Apr 1, Jul 1, Oct 1.
    "report-previous-quarter": {
        "task": "reports.tasks.compile_scheduled_reports",
        "schedule": crontab(minute="0", hour="2", day_of_month="1", month_of_year="1,4,7,10"),
        "kwargs": {"which": "previous"},
    },
    # A draft of the running quarter, every night.
    "report-current-quarter-draft": {
        "task": "reports.tasks.compile_scheduled_reports",
        "schedule": crontab(minute="30", hour="2"),
        "kwargs": {"which": "current"},
    },
}

# E-mail (the daily reminders). Production: EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# with EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or EMAIL_USE_SSL.
# The embedded run writes each letter to a file under var/mail/: nothing is lost, no server needed.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="基层党建台账 <noreply@localhost>")
# SMS (reminders, for users who choose it): a backend class by dotted path; the portal ships a
# file backend only (one file per message under var/sms/); an installation plugs in its gateway.
REMINDERS_SMS_BACKEND = env.str("REMINDERS_SMS_BACKEND", default="reminders.sms.FileBackend")
REMINDERS_SMS_FILE_PATH = env.str("REMINDERS_SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
# The reminders job writes this many users' inboxes per transaction (the worker test uses 1).
REMINDERS_CHUNK = env.int("REMINDERS_CHUNK", default=200)
# The portal's address as users reach it, for links in e-mails.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

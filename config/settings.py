"""One settings module, every deployment value read from the environment (see README, "Configuration").

Defaults are safe for production (DEBUG off, secure cookies, HSTS) except where a value can only
be known by the deployer; `make run` turns DEBUG on for the embedded development setup.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .sso import providers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("COURSEKIT_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see README, Configuration)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "course.apps.CoursekitAdminConfig",  # django.contrib.admin with the course staff's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    # University single sign-on (providers from the environment, see config/sso.py).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # The course's own apps, ground floor first (see README, "Where the code lives").
    "course",
    "quizzes",
    "scribing",
    "projects",
    "grading",
    "lti",  # LTI 1.3 with StudiUM/Moodle; stands on course/ only
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL in the address is a 400 before anything looks it up (course/middleware.py).
    "course.middleware.RefuseNulInAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout seen by the login views into its answer.
    "axes.middleware.AxesMiddleware",
]

# Form widgets are rendered with the project's templates first, so that templates/ can give
# Django's admin widgets the labels they lack (templates/admin/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "config.urls"

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
                "course.context_processors.navigation",
            ],
            # {{ value|percent:2 }} on every page: one way to write a percentage per language.
            "builtins": ["course.templatetags.typography"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes; a busy timeout waits
    # for the other writer instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "course.User"
# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Invitations and sessions (README, "How people sign in").
COURSEKIT_INVITATION_MAX_AGE_DAYS = env.int("COURSEKIT_INVITATION_MAX_AGE_DAYS", default=14)
# "Keep me signed in" lasts this long (a term); otherwise the session ends with the browser.
COURSEKIT_REMEMBER_ME_DAYS = env.int("COURSEKIT_REMEMBER_ME_DAYS", default=120)
PASSWORD_RESET_TIMEOUT = env.int("COURSEKIT_PASSWORD_RESET_SECONDS", default=3 * 24 * 3600)

# Single sign-on through django-allauth: only its social accounts are used (local accounts
# stay Django's), nobody signs up through it, and the first sign-in links to the roster's
# account (course/accounts/sso.py).
SOCIALACCOUNT_PROVIDERS = providers_from_env(env.ENVIRON)
SOCIALACCOUNT_ADAPTER = "course.accounts.sso.RosterSocialAccountAdapter"
ACCOUNT_ADAPTER = "course.accounts.sso.NoSignupAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
# Which claim (OpenID Connect) or attribute (SAML) holds the student id of the roster; empty:
# link by verified e-mail only.
COURSEKIT_SSO_STUDENT_ID_CLAIM = env.str("COURSEKIT_SSO_STUDENT_ID_CLAIM", default="")
# A university's SAML IdP asserts its own addresses; set false if yours relays others.
COURSEKIT_SSO_SAML_EMAIL_VERIFIED = env.bool("COURSEKIT_SSO_SAML_EMAIL_VERIFIED", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="America/Montreal")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded course work is private: it is served through permission-checked views, never MEDIA_URL.
MEDIA_URL = "/media-not-served/"
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
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=30 * 1024 * 1024
)

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://coursekit")}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # Redis down is a cache miss, not a failed request: sessions are read from the database
    # (cached_db), nothing that lives only in the cache is lost (README, "Security").
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
    )
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# "django.contrib.sessions.backends.cached_db" with CACHE_URL on Redis saves a database
# query per request (sessions are still written to the database, nothing is lost).
SESSION_ENGINE = env.str("DJANGO_SESSION_ENGINE", default="django.contrib.sessions.backends.db")

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="coursekit@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("COURSEKIT_SITE_URL", default="http://127.0.0.1:8000")
# Announcements also go to the class Slack through an incoming webhook when this is set.
COURSEKIT_SLACK_WEBHOOK_URL = env.str("COURSEKIT_SLACK_WEBHOOK_URL", default="")
# A message still pending this long after its send task was queued is queued again.
COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS = env.int(
    "COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS", default=300
)
# A worker claims a message before sending it; a claim not released this long after (the worker
# died mid-send) lapses and the message may be sent again, with the same Message-ID. Longer than
# the send task's time limit (90 s), so a worker still sending keeps its claim.
COURSEKIT_NOTIFY_CLAIM_SECONDS = env.int("COURSEKIT_NOTIFY_CLAIM_SECONDS", default=120)

# Security: on unless DEBUG; a TLS-terminating proxy sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every script, style, font and image comes from the app itself; no inline script or style.
# Uploaded files are sent with "Content-Security-Policy: sandbox" (course/uploads/responses.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes) on the login page, the admin login and HTTP Basic on the API:
# after COURSEKIT_LOGIN_FAILURE_LIMIT failures for one account from one address, that pair is
# refused for COURSEKIT_LOGIN_LOCKOUT_MINUTES after its last failure.
AXES_FAILURE_LIMIT = env.int("COURSEKIT_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("COURSEKIT_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each failure, for the superusers' admin
AXES_LOCKOUT_CALLABLE = "course.logins.lockout_response"
AXES_CLIENT_IP_CALLABLE = "course.logins.client_address"
# How many proxies in front of the app append to X-Forwarded-For (0: use the socket's address).
COURSEKIT_TRUSTED_PROXY_COUNT = env.int("COURSEKIT_TRUSTED_PROXY_COUNT", default=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Basic first so that wrong credentials answer 401 with its WWW-Authenticate.
        "course.logins.ThrottledBasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "course.errors.api_exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON with NUL, lone surrogates or deep nesting is a 400 naming it (course/api_parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "course.api_parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coursekit API",
    "DESCRIPTION": (
        "The course's schedule, enrolments, quizzes, scribing, projects and grades.\n\n"
        "Every error answers a JSON object with a stable `code` and either a `detail` sentence "
        'or, for invalid input, a list of messages per field (`{"code": "invalid", "value": '
        '["..."]}`; `non_field_errors` for the request as a whole). 429 and 503 carry '
        "`Retry-After` (seconds): a login locked out after too many failures, a database "
        "unavailable for a moment."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Celery: the filesystem transport needs no server (make run); Redis in production.
COURSEKIT_BROKER_VISIBILITY_TIMEOUT = env.int("COURSEKIT_BROKER_VISIBILITY_TIMEOUT", default=110)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    for _sub in ("out", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "data_folder_processed": str(_queue_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_queue_dir / "control"),
    }
else:
    # A task taken by a worker that died is given to another one after this many seconds
    # (acks_late tasks stay unacknowledged until they finish): longer than the countdown plus
    # time limit of the gradebook recompute (10 s + 90 s) and of the send and dispatch tasks,
    # short enough that a recompute lost with its worker runs again within 2 minutes. A longer
    # task (a quiz regrade) may be handed out again while it runs: it is idempotent.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": COURSEKIT_BROKER_VISIBILITY_TIMEOUT,
        # How often a worker looks for such tasks (kombu's default is every 100 s).
        "unacked_restore_interval": max(1, min(10, COURSEKIT_BROKER_VISIBILITY_TIMEOUT // 10)),
        "unacked_restore_throttle": 1,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The periodic tasks, in one place. Beat writes them into django-celery-beat's table when it
# starts, where the admin shows them. It matches rows by name: a row of that name already in
# the table (an older database's, made by a data migration) is updated in place, never
# duplicated, and rows added in the admin are left alone.
CELERY_BEAT_SCHEDULE = {
    "Dispatch due reminders and announcements": {
        "task": "course.dispatch_reminders",  # course/notifications
        "schedule": timedelta(minutes=5),
    },
    "Submit quiz attempts past their deadline": {
        "task": "quizzes.close_overdue_attempts",  # reads close overdue attempts too
        "schedule": timedelta(minutes=1),
    },
    "Queue again the quiz regrades the broker did not take": {
        "task": "quizzes.regrades_requeue",  # a key changed while the broker was down
        "schedule": timedelta(minutes=2),
    },
    "Refresh gradebooks whose inputs changed": {
        "task": "grading.tasks.refresh_gradebooks",  # catches changes made in the other apps
        "schedule": timedelta(minutes=2),
    },
    "Queue again the LMS grade posts the broker did not take": {
        "task": "lti.grades_posts_requeue",  # a release or recompute while the broker was down
        "schedule": timedelta(minutes=5),
    },
    "Sync the rosters of courses linked to an LMS": {
        "task": "lti.roster_sync_all",  # Names and Role Provisioning Services, nightly
        "schedule": crontab(minute="30", hour="3"),  # in CELERY_TIMEZONE
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        # A refused request (403, 404...) is one line; a traceback is for a server error.
        "no_traceback_below_500": {"()": "config.log_filters.NoTracebackBelow500"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_traceback_below_500"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler would print every django.* record a second time
        # beside the root's: its records go to the root console only (and errors to ADMINS).
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Upload limits shared by every app that accepts files (scribe notes, slides, reports).
COURSEKIT_UPLOAD_MAX_BYTES = env.int("COURSEKIT_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
COURSEKIT_ZIP_MAX_FILES = env.int("COURSEKIT_ZIP_MAX_FILES", default=200)
COURSEKIT_ZIP_MAX_UNCOMPRESSED_BYTES = env.int(
    "COURSEKIT_ZIP_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024
)

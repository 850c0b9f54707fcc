"""Enlace settings. Everything that differs between machines comes from the environment.

See `.env.example` for the list of variables and `docs/operations.md` for production values.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ENLACE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept under var/ (local use)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "bootstrap",
    "django_tomselect",  # only its static files: Tom Select, the searchable select (core/widgets.py)
    "enlace.core",
    "enlace.customers",
    "enlace.contracts",
    "enlace.radius",
    "enlace.billing",
    "enlace.support",
    "enlace.sales",
    "enlace.fiscal",
    "enlace.messaging",
    "enlace.ixc",
    "enlace.portal",
    "enlace.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "enlace.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "enlace.core.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "enlace" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "enlace.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'enlace.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE transactions take the write lock at
    # BEGIN, so two writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id with OWASP's parameters (enlace.core.hashers: 19 MiB, t=2, p=1, ~20 ms a check) for
# operators and subscribers; PBKDF2 after it still verifies older hashes, which are rehashed with
# Argon2id at the next successful login (staff: Django's setter; portal: enlace.portal.security).
PASSWORD_HASHERS = [
    "enlace.core.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Proxies in front of Enlace: the client IP is the N-th X-Forwarded-For entry from the right
# (enlace.core.http.client_ip, used by the portal and the staff lockout); 0 = REMOTE_ADDR, the header is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0)
# Subscriber portal: how long a password-reset link sent by e-mail stays valid.
PORTAL_PASSWORD_RESET_MINUTES = int(os.environ.get("PORTAL_PASSWORD_RESET_MINUTES", "60"))
# Subscriber portal: new tickets and replies a subscriber may send per hour, and the longest
# description or message (characters).
PORTAL_TICKETS_PER_HOUR = int(os.environ.get("PORTAL_TICKETS_PER_HOUR", "5"))
PORTAL_REPLIES_PER_HOUR = int(os.environ.get("PORTAL_REPLIES_PER_HOUR", "30"))
PORTAL_MESSAGE_MAX_CHARS = int(os.environ.get("PORTAL_MESSAGE_MAX_CHARS", "5000"))
# NFCom (enlace.fiscal, docs/fiscal.md): the key that encrypts the A1 certificates at rest (a Fernet
# key or any long secret; empty: derived from SECRET_KEY, for development only), the CA bundle the
# SEFAZ client trusts (empty: the system's) and its timeout in seconds.
ENLACE_FISCAL_KEY = os.environ.get("ENLACE_FISCAL_KEY", "")
ENLACE_FISCAL_CA_FILE = os.environ.get("ENLACE_FISCAL_CA_FILE", "")
ENLACE_FISCAL_TIMEOUT = float(os.environ.get("ENLACE_FISCAL_TIMEOUT", "30"))
# NFCom authorisers per state and environment: SVRS for every state unless named here as
# "UF:environment=base URL" entries (environment 1 produção, 2 homologação), separated by spaces.
ENLACE_FISCAL_ENDPOINTS = os.environ.get("ENLACE_FISCAL_ENDPOINTS", "")

# Lockout after repeated failed logins (django-axes): by user name and source IP together
# (AXES_FAILURE_LIMIT), and by source IP alone across user names (AXES_IP_FAILURE_LIMIT, higher:
# password spraying tries many user names from one address) — enlace.core.lockout.LockoutHandler.
# Wrong current passwords in the change-password form count as failed logins of that operator.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "enlace.core.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "enlace.core.http.client_ip"
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Largest bank return file (CNAB) accepted, in MB: a larger upload is refused before it is read.
BANK_RETURN_MAX_UPLOAD_MB = int(os.environ.get("BANK_RETURN_MAX_UPLOAD_MB", "20"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (customer files, portal logo, bank files) go through Django's storage API: local
# MEDIA_ROOT by default, or an S3-compatible bucket with ENLACE_STORAGE=s3 (django-storages,
# needs boto3; docs/files.md). Customer files are downloaded through a view that checks scope.
if os.environ.get("ENLACE_STORAGE", "local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 10)))
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("SECURE_COOKIES", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Served over HTTPS: browsers must keep using HTTPS (HSTS). 0 turns the header off.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# X-Forwarded-Proto is believed only when a proxy is declared (a count above 0): anyone can send
# the header to a server nothing proxies.
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts only from our own static files (no inline script,
# no eval); inline styles stay allowed (style="" attributes, the portal colours, Swagger UI).
# Images may be data: URIs (Bootstrap's icons). Nothing may frame a page (X-Frame-Options: DENY too).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (enlace.core.middleware.SecurityHeadersMiddleware): no page uses these APIs.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["enlace.api.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "enlace.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    # JSON nested deeper than 64 levels is a 400 (enlace.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "enlace.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Every operation documents the error answers it can give (enlace.api.schema).
    "DEFAULT_SCHEMA_CLASS": "enlace.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "enlace.api.exceptions.exception_handler",
    # Requests per token (or per source IP without one): enlace.api.throttling, rates below.
    "DEFAULT_THROTTLE_CLASSES": [
        "enlace.api.throttling.TokenRateThrottle",
        "enlace.api.throttling.AnonRateThrottle",
    ],
    "DATE_FORMAT": "%Y-%m-%d",
    "COERCE_DECIMAL_TO_STRING": True,
}
# API rates ("<count>/<second|minute|hour|day>"), counted in the cache (Redis in production):
# per token or logged-in operator, and per source IP for requests without credentials.
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "1200/minute")
API_ANON_THROTTLE_RATE = os.environ.get("API_ANON_THROTTLE_RATE", "60/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Enlace API",
    "DESCRIPTION": "REST API of Enlace, the open-source ISP management system.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the Swagger UI are for operators and integrators: token or staff session.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags and operation ids from the resource name
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "enlace.support.models.Ticket.Status",
        "ServiceOrderStatusEnum": "enlace.support.models.ServiceOrder.Status",
        "PriorityEnum": "enlace.support.models.Priority",
    },
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The queue tasks are sent to and a worker reads: two installations (or test runs) sharing one
# broker keep apart with a queue each.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE") or "celery"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "enlace@localhost")
# Where EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes (`make run` uses it).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Billing messages (enlace.messaging, docs/messaging.md) --------------------------------------
# SMS/WhatsApp provider: "" (none: only e-mail is sent), "twilio" or "webhook".
MESSAGING_PROVIDER = os.environ.get("MESSAGING_PROVIDER", "")
MESSAGING_TWILIO_ACCOUNT_SID = os.environ.get("MESSAGING_TWILIO_ACCOUNT_SID", "")
MESSAGING_TWILIO_AUTH_TOKEN = os.environ.get("MESSAGING_TWILIO_AUTH_TOKEN", "")
MESSAGING_TWILIO_FROM = os.environ.get("MESSAGING_TWILIO_FROM", "")
MESSAGING_TWILIO_WHATSAPP_FROM = os.environ.get("MESSAGING_TWILIO_WHATSAPP_FROM", "")
MESSAGING_TWILIO_API_URL = os.environ.get("MESSAGING_TWILIO_API_URL", "https://api.twilio.com")
MESSAGING_WEBHOOK_URL = os.environ.get("MESSAGING_WEBHOOK_URL", "")
MESSAGING_WEBHOOK_TOKEN = os.environ.get("MESSAGING_WEBHOOK_TOKEN", "")
# Public base URL of this site, for the providers' delivery-status callbacks ("" = no callbacks).
MESSAGING_CALLBACK_BASE_URL = os.environ.get("MESSAGING_CALLBACK_BASE_URL", "")
# Attempts before a message is shown as failed (retried with backoff in between).
MESSAGING_MAX_ATTEMPTS = int(os.environ.get("MESSAGING_MAX_ATTEMPTS", "8"))
# Failed messages go back to the queue by themselves while younger than this (docs/messaging.md).
MESSAGING_RECOVERY_MAX_AGE_HOURS = int(os.environ.get("MESSAGING_RECOVERY_MAX_AGE_HOURS", "48"))
# SMTP connections a sending worker keeps in flight at once.
MESSAGING_SMTP_CONNECTIONS = int(os.environ.get("MESSAGING_SMTP_CONNECTIONS", "4"))

# --- CEP lookup (SPEC A-1) -------------------------------------------------------------------
# The local CEP table answers first; then this provider (ViaCEP's JSON API, `{cep}` is replaced).
# Empty turns the online lookup off. The timeout is capped at 3 s so that a form never hangs.
CEP_PROVIDER_URL = os.environ.get("CEP_PROVIDER_URL", "https://viacep.com.br/ws/{cep}/json/")
CEP_LOOKUP_TIMEOUT = float(os.environ.get("CEP_LOOKUP_TIMEOUT", "3"))

# --- RADIUS CoA / Disconnect (SPEC L-12) -----------------------------------------------------
# Seconds to wait for a concentrator's answer to a Disconnect-Request or CoA-Request, and the
# first delay before a retry (it doubles on each of the 3 retries).
RADIUS_COA_TIMEOUT = float(os.environ.get("RADIUS_COA_TIMEOUT", "3"))
RADIUS_COA_RETRY_DELAY = float(os.environ.get("RADIUS_COA_RETRY_DELAY", "5"))
# Without a broker (tasks run in the web process) send them from a background thread, so that
# blocking a contract does not wait for a silent concentrator's retries.
RADIUS_COA_BACKGROUND = env_bool("RADIUS_COA_BACKGROUND", True)

# --- Tables ---------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/enlace.html"  # bootstrap5, rows by core.templatetags.enlace_tables
DJANGO_TABLES2_PAGE_RANGE = 8

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
if CELERY_TASK_ALWAYS_EAGER:
    # No broker: tasks run in the calling process — no line per task, no warning about the broker.
    LOGGING["loggers"].update({"celery.app.trace": {"level": "WARNING"}, "kombu": {"level": "ERROR"}})

# Turns "service not available" skips into failures (set by CI).
ENLACE_REQUIRE_SERVICES = env_bool("ENLACE_REQUIRE_SERVICES", False)

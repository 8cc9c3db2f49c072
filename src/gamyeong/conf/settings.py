"""Django settings for gamyeong, read from the environment (see docs/configuration.md).

Embedded defaults run everything on one machine: a SQLite file and local files under ``var/``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

from gamyeong.conf.env import setting, setting_bool, setting_int, setting_list

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = Path(
    setting("GAMYEONG_HOME", ".", "Project directory; var/ and build/ are resolved against it.")
).resolve()
VAR_DIR = Path(
    setting("GAMYEONG_VAR_DIR", str(PROJECT_DIR / "var"), "Directory for the SQLite file and keys.")
).resolve()
DATA_DIR = Path(
    setting(
        "GAMYEONG_DATA_DIR",
        str(VAR_DIR / "data"),
        "Directory for data files (synthetic data sets, party stores).",
    )
).resolve()
PROVIDER_VAULT = Path(
    setting(
        "GAMYEONG_PROVIDER_VAULT",
        str(VAR_DIR / "vaults" / "provider"),
        "The provider's vault of additional information (secrets, token tables), kept apart.",
    )
).resolve()
HIERARCHY_DIR = Path(
    setting(
        "GAMYEONG_HIERARCHY_DIR",
        str(PROJECT_DIR / "examples" / "hierarchies"),
        "Where policies written in the portal find the hierarchy files they name.",
    )
).resolve()
KRDS_DIR = Path(
    setting(
        "GAMYEONG_KRDS_DIR",
        str(PROJECT_DIR / "build" / "krds"),
        "Built KRDS design-system assets (made by `gamyeong assets` from node_modules).",
    )
).resolve()

DEBUG = setting_bool("GAMYEONG_DEBUG", False, "Django debug mode (never in production).")
ALLOWED_HOSTS = setting_list(
    "GAMYEONG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]", "Host names the portal answers to."
)
CSRF_TRUSTED_ORIGINS = setting_list(
    "GAMYEONG_CSRF_TRUSTED_ORIGINS", "", "Origins trusted for CSRF behind a proxy (https://…)."
)


def _secret_key() -> str:
    configured = setting(
        "GAMYEONG_SECRET_KEY",
        "",
        "Django secret key; when empty one is generated once into var/secret_key (mode 0600).",
    )
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key, encoding="ascii")
    tmp.chmod(0o600)
    tmp.replace(path)
    return key


SECRET_KEY = _secret_key()

DATABASE_URL = setting(
    "GAMYEONG_DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'gamyeong.sqlite3'}",
    "Database URL: sqlite:///path (default) or postgresql://user@host:port/name.",
)


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # One writer at a time, taken at the start of each transaction: the audit chain and
        # every other read-then-write stays consistent without "database is locked" surprises.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        name = config.get("NAME")
        if name and name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
    else:
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return config


# The key-management agency (결합키관리기관) keeps its own database: its combinations, received key
# files, linking runs, API clients and its own audit trail (gamyeong.kma.router sends them there).
KMA_DATABASE_URL = setting(
    "GAMYEONG_KMA_DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'kma.sqlite3'}",
    "The key-management agency's own database (its service, `gamyeong kma serve`).",
)
DATABASES = {"default": _database(DATABASE_URL), "kma": _database(KMA_DATABASE_URL)}
DATABASE_ROUTERS = ["gamyeong.kma.router.KmaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "gamyeong.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "csp",
    "gamyeong.accounts",
    "gamyeong.governance",
    "gamyeong.catalog",
    "gamyeong.workspace",
    "gamyeong.processing",
    "gamyeong.combination",
    "gamyeong.applications",
    "gamyeong.exports",
    "gamyeong.kma",
    "ninja",  # the KMA API's OpenAPI docs (templates and static files, no models)
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gamyeong.web.middleware.KoreanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gamyeong.web.middleware.VerifiedLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gamyeong.conf.urls"
WSGI_APPLICATION = "gamyeong.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gamyeong.web.context.portal",
            ],
        },
    },
]

# Background jobs: rows in the database, run by `gamyeong worker` (started by `gamyeong serve`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Accounts, two-factor login and lockout ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
OTP_TOTP_ISSUER = "gamyeong"
AXES_FAILURE_LIMIT = setting_int(
    "GAMYEONG_LOGIN_FAILURE_LIMIT",
    5,
    "Failed logins (password or one-time code) before an account is locked.",
    minimum=1,
)
AXES_COOLOFF_TIME = timedelta(
    minutes=setting_int(
        "GAMYEONG_LOGIN_LOCKOUT_MINUTES", 30, "Minutes a locked account stays locked.", minimum=1
    )
)
# Accounts are locked by user ID. Locking by IP address as well (axes.W006) would lock a whole
# agency out when its staff share one NAT address, as the analysis rooms do.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gamyeong.accounts.views.locked_out"
AXES_VERBOSE = False
SESSION_COOKIE_AGE = 60 * setting_int(
    "GAMYEONG_SESSION_IDLE_MINUTES", 30, "Minutes of inactivity before a session ends.", minimum=1
)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Seoul"  # people see Seoul time; records are stored in UTC (USE_TZ)
USE_TZ = True

# Static files: KRDS assets built from npm, served by WhiteNoise straight from the finders ------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # only `gamyeong manage collectstatic` fills it
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [("krds", KRDS_DIR)] if KRDS_DIR.is_dir() else []
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "gamyeong": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# gamyeong's own settings ------------------------------------------------------------------------
GAMYEONG_DEMO_PERSONS = setting_int(
    "GAMYEONG_DEMO_PERSONS", 20_000, "Persons in the demo's synthetic population.", minimum=100
)
GAMYEONG_DEMO_SEED = setting_int("GAMYEONG_DEMO_SEED", 2026, "Seed of the demo's synthetic data.")
# k-anonymity thresholds the guideline leaves to the agency, by environment (korea-process §5).
GAMYEONG_K_CLOSED_ROOM = setting_int(
    "GAMYEONG_K_CLOSED_ROOM",
    3,
    "Minimum class size (k) for data used in the closed room.",
    minimum=1,
)
GAMYEONG_K_THIRD_PARTY = setting_int(
    "GAMYEONG_K_THIRD_PARTY",
    5,
    "Minimum class size (k) for data released to a third party.",
    minimum=1,
)

# The key-management agency's service (`gamyeong kma serve`): its own party store and vault.
GAMYEONG_KMA_STORE = Path(
    setting(
        "GAMYEONG_KMA_STORE",
        str(VAR_DIR / "parties" / "kma"),
        "The key-management agency's party store (inbox, outbox, work and its vault).",
    )
).resolve()
GAMYEONG_KMA_ORG = setting(
    "GAMYEONG_KMA_ORG", "한국인터넷진흥원", "The key-management agency's organisation name."
)

# Applications (이용신청): documents, periods, notifications.
GAMYEONG_UPLOAD_MAX_MB = setting_int(
    "GAMYEONG_UPLOAD_MAX_MB",
    20,
    "Largest document an applicant or staff member may upload, in MB.",
    minimum=1,
)
GAMYEONG_MAX_PERIOD_DAYS = setting_int(
    "GAMYEONG_MAX_PERIOD_DAYS",
    1095,
    "Longest period of use an application may ask for, in days.",
    minimum=1,
)
EMAIL_BACKEND = setting(
    "GAMYEONG_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    "How notifications are e-mailed (Django e-mail backend; the console by default).",
)
DEFAULT_FROM_EMAIL = setting(
    "GAMYEONG_FROM_EMAIL", "gamyeong@localhost", "Sender address of notification e-mails."
)

# The closed analysis environment: workspaces and sandboxed analysis jobs (docs/sandbox.md).
GAMYEONG_WORKSPACES_DIR = Path(
    setting(
        "GAMYEONG_WORKSPACES_DIR",
        str(DATA_DIR / "workspaces"),
        "Project workspaces: each project's data files, dummy data, outputs and job logs.",
    )
).resolve()
GAMYEONG_JOB_CPU_SECONDS = setting_int(
    "GAMYEONG_JOB_CPU_SECONDS", 3600, "CPU seconds an analysis job may use.", minimum=1
)
GAMYEONG_JOB_WALL_SECONDS = setting_int(
    "GAMYEONG_JOB_WALL_SECONDS",
    7200,
    "Wall-clock seconds before an analysis job is stopped.",
    minimum=1,
)
GAMYEONG_JOB_MEMORY_MB = setting_int(
    "GAMYEONG_JOB_MEMORY_MB", 4096, "Memory (MB) an analysis job may allocate.", minimum=64
)
GAMYEONG_JOB_PROCESSES = setting_int(
    "GAMYEONG_JOB_PROCESSES", 128, "Processes and threads an analysis job may run.", minimum=8
)
GAMYEONG_JOB_OUTPUT_MB = setting_int(
    "GAMYEONG_JOB_OUTPUT_MB",
    2048,
    "Total size (MB) of a workspace's outputs a job may write.",
    minimum=1,
)

# Export review (반출심사): the committee for combined data sets.
GAMYEONG_EXPORT_COMMITTEE_MIN = setting_int(
    "GAMYEONG_EXPORT_COMMITTEE_MIN", 3, "Fewest members of the export review committee.", minimum=1
)
GAMYEONG_EXPORT_COMMITTEE_MAX = setting_int(
    "GAMYEONG_EXPORT_COMMITTEE_MAX", 5, "Most members of the export review committee.", minimum=1
)
GAMYEONG_EXPORT_PROFILE = setting(
    "GAMYEONG_EXPORT_PROFILE",
    "gamyeong",
    "Rule profile of the automatic export checks: gamyeong, korean or acro (docs/disclosure-checks.md).",
)

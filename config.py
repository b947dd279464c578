"""Configuration classes. Every value can be set from the environment.

``create_app`` picks the class named by ``JUVENILE_CONFIG`` (development, production),
defaulting to development, which runs on an SQLite file in the instance folder.
"""

import os
from datetime import timedelta


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    #: None means "an SQLite file in the instance folder" (resolved by create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions end after this much inactivity and on logout; no "remember me".
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=SESSION_IDLE_MINUTES)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    # Failed logins are counted in a sliding window, per login and per remote address.
    LOGIN_THROTTLE_WINDOW_MINUTES = _env_int("LOGIN_THROTTLE_WINDOW_MINUTES", 15)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)

    LANGUAGES = ("kk", "ru")
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Almaty")

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Outgoing mail (alerts in later issues). Unset server = mail is off.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "juvenile@localhost")

    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0 = none),
    #: so the audit trail records the client's address, not the proxy's.
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)

    AUDIT_PAGE_SIZE = 50
    LIST_PAGE_SIZE = 50

    @classmethod
    def validate(cls) -> None:
        """Refuse configurations that must not run."""


class DevelopmentConfig(Config):
    """Local use and the demo: SQLite in the instance folder, a secret kept there too."""


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY is not set: production refuses to start without it. "
                "Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if not cls.SQLALCHEMY_DATABASE_URI:
            raise RuntimeError(
                "DATABASE_URL is not set: production runs on PostgreSQL, "
                "e.g. postgresql+psycopg://juvenile:PASSWORD@db-host/juvenile"
            )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    # Fast hashing in tests; production uses argon2's defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 256
    ARGON2_PARALLELISM = 1


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}

"""Start Django for commands that need the database, with a clear error when settings are bad."""

from __future__ import annotations

import os

from gamyeong.cli.errors import fail

#: The environment variable that configures each database alias (for messages).
URL_SETTINGS = {"default": "GAMYEONG_DATABASE_URL", "kma": "GAMYEONG_KMA_DATABASE_URL"}


def setup_django(settings_module: str | None = None) -> None:
    """Set Django up with the portal's settings (or ``settings_module``, e.g. the KMA service's,
    which then replaces any module named in the environment). A process whose settings are
    already configured (tests) keeps them."""
    import django
    from django.conf import settings

    if settings_module is not None and not settings.configured:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gamyeong.conf.settings")

    from gamyeong.conf.env import ConfigurationError

    try:
        django.setup()
    except ConfigurationError as exc:
        fail(f"설정 값이 잘못되었습니다: {exc}", f"bad configuration: {exc}")


def check_alias(alias: str) -> None:
    """Refuse a database alias the settings do not define."""
    from django.conf import settings

    if alias not in settings.DATABASES:
        known = ", ".join(settings.DATABASES)
        fail(
            f"알 수 없는 데이터베이스입니다: {alias} (가능: {known})",
            f"unknown database {alias!r} (one of {known})",
        )


def describe_database(alias: str = "default") -> str:
    """The configured database without its password, for messages."""
    from django.conf import settings

    db = settings.DATABASES[alias]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    user = db.get("USER") or ""
    host = db.get("HOST") or "localhost"
    port = db.get("PORT") or ""
    return f"{db['ENGINE'].rsplit('.', 1)[-1]}://{user}@{host}:{port}/{db.get('NAME', '')}"


def check_database(alias: str = "default") -> None:
    """Connect once; on failure say which database and why, in Korean and English."""
    from django.db import connections
    from django.db.utils import OperationalError

    check_alias(alias)
    try:
        connections[alias].ensure_connection()
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = describe_database(alias)
        variable = URL_SETTINGS.get(alias, "GAMYEONG_DATABASE_URL")
        fail(
            f"데이터베이스에 연결할 수 없습니다: {where} ({reason}). "
            f"{variable} 설정과 데이터베이스 서버가 켜져 있는지 확인하세요.",
            f"cannot connect to the database {where} ({reason}). "
            f"Check {variable} and that the database server is running.",
        )


def check_migrations() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        fail(
            f"데이터베이스가 최신이 아닙니다 (적용되지 않은 마이그레이션 {len(pending)}개). "
            "`gamyeong manage migrate`를 먼저 실행하세요.",
            f"the database is not up to date ({len(pending)} migrations not applied). "
            "Run `gamyeong manage migrate` first.",
        )

"""Start Django for commands that need the database, with a clear error when settings are bad."""

from __future__ import annotations

import os

from gamyeong.cli.errors import fail


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gamyeong.conf.settings")
    import django

    from gamyeong.conf.env import ConfigurationError

    try:
        django.setup()
    except ConfigurationError as exc:
        fail(f"설정 값이 잘못되었습니다: {exc}", f"bad configuration: {exc}")


def describe_database() -> str:
    """The configured database without its password, for messages."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    user = db.get("USER") or ""
    host = db.get("HOST") or "localhost"
    port = db.get("PORT") or ""
    return f"{db['ENGINE'].rsplit('.', 1)[-1]}://{user}@{host}:{port}/{db.get('NAME', '')}"


def check_database() -> None:
    """Connect once; on failure say which database and why, in Korean and English."""
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = describe_database()
        fail(
            f"데이터베이스에 연결할 수 없습니다: {where} ({reason}). "
            "GAMYEONG_DATABASE_URL 설정과 데이터베이스 서버가 켜져 있는지 확인하세요.",
            f"cannot connect to the database {where} ({reason}). "
            "Check GAMYEONG_DATABASE_URL and that the database server is running.",
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

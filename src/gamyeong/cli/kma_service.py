"""``gamyeong kma serve`` and ``gamyeong kma client``: the key-management agency's own service
(its database ``GAMYEONG_KMA_DATABASE_URL``, its store ``GAMYEONG_KMA_STORE``, its HTTP API)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gamyeong.cli.django_setup import check_database, setup_django
from gamyeong.cli.errors import fail

SERVICE_SETTINGS = "gamyeong.kma.service_settings"
KMA_DB = "kma"
#: Key files for ten million persons with several key sets pass waitress's default 1 GiB.
MAX_UPLOAD_BYTES = 16 << 30

clients = typer.Typer(
    help="결합키관리기관 API 이용기관(토큰) 관리. Manage the KMA API's clients and tokens.",
    no_args_is_help=True,
)


def prepare() -> None:
    """The KMA service's settings, its database reachable and migrated (only ``kma``)."""
    setup_django(SERVICE_SETTINGS)
    check_database(KMA_DB)
    from django.core.management import call_command
    from django.db import DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[KMA_DB])
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    try:
        call_command("migrate", database=KMA_DB, interactive=False, verbosity=0)
    except DatabaseError as exc:
        fail(
            f"결합키관리기관 데이터베이스를 준비할 수 없습니다: {exc}",
            f"cannot migrate the key-management agency's database: {exc}",
        )


def serve(
    host: str = typer.Option("127.0.0.1", help="주소 (address to listen on)"),
    port: int = typer.Option(8100, help="포트 (port)", min=1, max=65535),
    threads: int = typer.Option(8, help="요청 처리 스레드 수 (worker threads)", min=1),
) -> None:
    """결합키관리기관 서비스를 실행합니다: 자체 데이터베이스를 확인·마이그레이션한 뒤 API만 제공합니다.

    Serve the key-management agency on its own: check and migrate its database
    (GAMYEONG_KMA_DATABASE_URL), open its store (GAMYEONG_KMA_STORE), then serve only its HTTP
    API at http://HOST:PORT/kma/api/ (docs at /kma/api/docs). Exit 2 when the database is
    unreachable.
    """
    prepare()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    from gamyeong.engine.errors import EngineError
    from gamyeong.kma.store import kma_store

    try:
        store = kma_store()
    except EngineError as exc:
        fail(exc.korean, exc.english)
    Console(highlight=False).print(
        f"[bold]gamyeong 결합키관리기관 / key-management agency[/] ({escape(store.organisation)})"
        f" → http://{host}:{port}/kma/api/docs\n"
        f"  database: {escape(_database_name(settings.DATABASES[KMA_DB]))}, "
        f"store: {escape(str(store.root))}  (Ctrl+C 로 종료 / Ctrl+C to stop)"
    )
    try:
        waitress_serve(
            get_wsgi_application(),
            host=host,
            port=port,
            threads=threads,
            ident="gamyeong-kma",
            max_request_body_size=MAX_UPLOAD_BYTES,
        )
    except OSError as exc:
        fail(
            f"{host}:{port} 에서 서비스를 시작할 수 없습니다 ({exc})",
            f"cannot listen on {host}:{port} ({exc})",
        )


@clients.command("add")
def add(
    name: str = typer.Argument(..., help="이용기관(클라이언트) 이름 (client name)"),
    role: str = typer.Option(
        ..., "--role", help="provider | combination_agency | kma_staff (역할 / role)"
    ),
    org: str | None = typer.Option(
        None, "--org", help="기관 이름; kma_staff는 기본값 GAMYEONG_KMA_ORG (organisation)"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력 (print JSON)"),
) -> None:
    """API 이용기관을 등록하고 토큰을 한 번만 보여 줍니다.

    Add an API client and print its token once (only its SHA-256 is kept).
    """
    prepare()
    from django.conf import settings

    from gamyeong.engine.errors import EngineError
    from gamyeong.kma.clients import add_client

    organisation = org or (settings.GAMYEONG_KMA_ORG if role == "kma_staff" else "")
    try:
        client, token = add_client(name, role, organisation)
    except EngineError as exc:
        fail(exc.korean, exc.english)
    if as_json:
        data = {"name": client.name, "role": client.role, "organisation": client.organisation}
        typer.echo(json.dumps({**data, "token": token}, ensure_ascii=False))
        return
    console = Console(highlight=False)
    console.print(
        f"등록 / added: {escape(client.name)} ({client.role}:{escape(client.organisation)})\n"
        "토큰은 지금 한 번만 표시됩니다 / the token is shown only now:"
    )
    typer.echo(token)


@clients.command("list")
def list_clients(
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력 (print JSON)"),
) -> None:
    """등록된 API 이용기관 목록 (토큰은 보이지 않습니다). List the API clients (no tokens)."""
    prepare()
    from gamyeong.kma.models import ApiClient

    rows = [
        {
            "name": c.name,
            "role": c.role,
            "organisation": c.organisation,
            "active": c.active,
            "created_at": c.created_at.isoformat(timespec="seconds"),
        }
        for c in ApiClient.objects.order_by("name")
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="결합키관리기관 API 이용기관 / KMA API clients")
    for header in ("이름 name", "역할 role", "기관 organisation", "사용 active", "등록 created"):
        table.add_column(header)
    for row in rows:
        table.add_row(
            escape(str(row["name"])),
            str(row["role"]),
            escape(str(row["organisation"])),
            "예 yes" if row["active"] else "아니요 no",
            str(row["created_at"]),
        )
    Console(highlight=False).print(table)


@clients.command("disable")
def disable(name: str = typer.Argument(..., help="이용기관 이름 (client name)")) -> None:
    """이용기관의 토큰을 쓸 수 없게 합니다. Disable a client's token."""
    prepare()
    from gamyeong.engine.errors import EngineError
    from gamyeong.kma.clients import disable_client

    try:
        client = disable_client(name)
    except EngineError as exc:
        fail(exc.korean, exc.english)
    Console(highlight=False).print(f"사용 중지 / disabled: {escape(client.name)}")


def _database_name(db: dict[str, object]) -> str:
    engine = str(db.get("ENGINE", "")).rsplit(".", 1)[-1]
    return f"{engine} {db.get('HOST') or ''}/{db.get('NAME', '')}".replace(" /", " ")

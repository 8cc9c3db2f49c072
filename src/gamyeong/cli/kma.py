"""``gamyeong kma``: the key-management agency (결합키관리기관): salts, match rates, linking info.

``serve`` and ``client`` (the agency's own service and its API clients) live in
:mod:`gamyeong.cli.kma_service` and are added to this group at the end of this module.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gamyeong.cli.errors import fail

if TYPE_CHECKING:
    from gamyeong.engine.linkage.report import MatchReport
    from gamyeong.engine.linkage.stores import PartyStore

DEFAULT_KMA = "한국인터넷진흥원"
DEFAULT_AGENCY = "한국사회보장정보원"

app = typer.Typer(
    help=(
        "결합키관리기관: 솔트 발급, 결합률 확인, 모의결합, 추출, 결합키연계정보 생성.\n\n"
        "Key-management agency: issue salts, check match rates, mock combination, extraction, "
        "linking information."
    ),
    no_args_is_help=True,
)

STORE_HELP = "결합키관리기관 저장소, 기본값 <GAMYEONG_DATA_DIR>/parties/key_agency (KMA store)"
ORG_HELP = "결합키관리기관 이름 (the KMA's organisation)"


def open_store(role: str, organisation: str, root: Path | None) -> PartyStore:
    """A party's store; the default root is ``<GAMYEONG_DATA_DIR>/parties/<role>``."""
    from gamyeong.conf import settings
    from gamyeong.engine.linkage.stores import PartyStore

    return PartyStore(role, organisation, root or settings.DATA_DIR / "parties" / role)


@app.command("issue-salt")
def issue_salt(
    combination_id: str = typer.Option(..., "--combination-id", help="결합 ID (combination id)"),
    out: Path = typer.Option(..., "--out", help="솔트 전송물 디렉터리 (directory for salts)"),
    provider: list[str] = typer.Option(
        ..., "--provider", help="솔트를 받을 정보보유기관, 반복 가능 (receiving provider; repeat)"
    ),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    org: str = typer.Option(DEFAULT_KMA, "--org", help=ORG_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력 (print JSON)"),
) -> None:
    """결합 한 건의 솔트(32바이트)를 발급해 보관소에 두고, 정보보유기관별 전송물로 씁니다.

    Issue a 32-byte random salt for one combination: kept in the KMA's vault, written as one
    ``salt`` artifact (``<salt_id>.salt`` + manifest) per provider under --out.
    """
    from gamyeong.engine.errors import EngineError
    from gamyeong.engine.linkage.artifacts import KMA
    from gamyeong.engine.linkage.kma import issue_salt as issue

    try:
        issued = issue(open_store(KMA, org, store), combination_id, provider, out=out)
    except EngineError as exc:
        fail(exc.korean, exc.english)
    if as_json:
        paths = {party: str(path) for party, path in issued.paths.items()}
        typer.echo(json.dumps({"salt_id": issued.salt_id, "paths": paths}, ensure_ascii=False))
        return
    console = Console(highlight=False)
    console.print(f"솔트 발급 / salt issued: [bold]{issued.salt_id}[/] ({escape(combination_id)})")
    for party, path in issued.paths.items():
        console.print(f"  {escape(party)} → {escape(str(path))}")


@app.command("link")
def link(
    keys: list[Path] = typer.Argument(
        ..., help="정보보유기관의 결합키 파일들 (providers' key files)", show_default=False
    ),
    out: Path = typer.Option(..., "--out", help="결합키연계정보 파일 (linking information)"),
    report: Path = typer.Option(..., "--report", help="결합률 보고서 JSON (match report)"),
    key_set: str | None = typer.Option(None, "--key-set", help="결합키 세트 (key set name)"),
    mock: float | None = typer.Option(
        None, "--mock", help="모의결합: 표본 비율 0–1 (mock combination on this share of keys)"
    ),
    extract: Path | None = typer.Option(
        None, "--extract", help="추출: 기관별 결합 대상 일련번호를 쓸 디렉터리 (matched serials)"
    ),
    combination_id: str | None = typer.Option(
        None, "--combination-id", help="결합 ID 확인 (expected combination id)"
    ),
    agency: str = typer.Option(
        DEFAULT_AGENCY, "--agency", help="결합전문기관 이름 (the receiving combination agency)"
    ),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    org: str = typer.Option(DEFAULT_KMA, "--org", help=ORG_HELP),
    as_json: bool = typer.Option(False, "--json", help="보고서를 JSON으로 출력 (print JSON)"),
) -> None:
    """결합키를 연계해 결합률 보고서와 결합키연계정보를 만듭니다.

    Take delivery of the providers' key files (serial and key columns only; anything else is
    refused), check that their key specs agree, link the keys and write the linking information
    for the combination agency, the match report (per provider: records, keyed, collisions,
    matched, match rate) and, with --extract, each provider's matched serials. --mock links a
    reproducible sample of the keys (mock combination). Exit 2 on bad input.
    """
    from gamyeong.engine.errors import EngineError
    from gamyeong.engine.linkage import kma
    from gamyeong.engine.linkage.artifacts import KEYS, KMA
    from gamyeong.engine.linkage.kma_inputs import screen_key_file

    if mock is not None and extract is not None:
        fail(
            "모의결합(--mock)에서는 추출(--extract)을 할 수 없습니다",
            "--extract cannot be combined with --mock (a mock combination extracts nothing)",
        )
    try:
        kma_store = open_store(KMA, org, store)
        received = [
            kma_store.admit(path, KEYS, combination_id=combination_id, screen=screen_key_file)[0]
            for path in keys
        ]
        inputs, result = kma.run(
            kma_store, received, key_set=key_set, combination_id=combination_id, sample=mock
        )
        linked = kma.write_linking(kma_store, inputs, result, out=out, agency=agency)
        extracted = kma.write_extraction(kma_store, inputs, result, extract) if extract else {}
        _write_json(report, result.report.to_dict())
    except EngineError as exc:
        fail(exc.korean, exc.english)
    except OSError as exc:
        fail(f"파일을 읽거나 쓸 수 없습니다: {exc}", f"cannot read or write a file: {exc}")
    if as_json:
        typer.echo(json.dumps(result.report.to_dict(), ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    print_report(console, result.report)
    console.print(f"결합키연계정보 / linking information: {escape(str(linked.path))}")
    for party, path in extracted.items():
        console.print(f"추출 / matched serials for {escape(party)}: {escape(str(path))}")
    console.print(f"보고서 / report: {escape(str(report))}")


def print_report(console: Console, report: MatchReport) -> None:
    mock = f", 모의결합 / mock {report.mock_fraction:.0%}" if report.mock_fraction else ""
    table = Table(
        title=f"결합률 / match rate: {escape(report.combination_id)} "
        f"(key set {escape(report.key_set)}{mock})"
    )
    headers = (
        "기관 provider",
        "보유 records",
        "결합키 keyed",
        "중복키 collisions",
        "결합 matched",
        "결합률 rate",
    )
    for header in headers:
        table.add_column(header)
    for p in report.providers:
        table.add_row(
            escape(p.provider),
            f"{p.records:,}",
            f"{p.keyed:,}",
            f"{p.collision_keys:,} / {p.collision_records:,}",
            f"{p.matched:,}",
            f"{p.match_rate:.2%}",
        )
    console.print(table)
    console.print(
        f"연계된 사람 / persons linked: {report.linked:,}. 중복키(키 수 / 레코드 수)는 연계에서 "
        "제외합니다 (collisions, keys / records: keys held by more than one record in a "
        "provider are excluded from linking)."
    )


def _write_json(path: Path, data: object) -> None:
    """Write JSON atomically (temporary file in the same directory, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)


# The KMA's own service (its database, store and HTTP API).
from gamyeong.cli import kma_service  # noqa: E402

app.command("serve")(kma_service.serve)
app.add_typer(kma_service.clients, name="client")

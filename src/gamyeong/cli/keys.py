"""``gamyeong keys``: the provider's side of combination (결합키 생성, seed step 4-1).

``gamyeong keys make`` writes the key file for the key-management agency, the payload for the
combination agency and the serial ↔ identifier table in the provider's vault. See
docs/combination.md ("Provider side").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gamyeong.cli.errors import fail

if TYPE_CHECKING:
    from gamyeong.engine.linkage.keys import KeySpec, SpecReport
    from gamyeong.engine.linkage.provider import CombinationFiles, Parties
    from gamyeong.engine.linkage.salt import ReceivedSalt

app = typer.Typer(
    help="결합키와 일련번호를 만듭니다 (provider side of combination: keys and serials).",
    no_args_is_help=True,
)

DEFAULT_KEY_AGENCY = "한국인터넷진흥원"  # KISA, the key-management agency (결합키관리기관)
DEFAULT_AGENCY = "한국사회보장정보원"  # SSIS, a designated combination agency (결합전문기관)
REASONS = {"missing": "없음/missing", "invalid": "형식 오류/invalid"}


@app.command("make")
def make(
    data: Path = typer.Argument(
        ..., help="정보보유기관의 데이터 (CSV, xlsx, Parquet, .sav, .dta)", show_default=False
    ),
    items: str = typer.Option(
        ...,
        "--items",
        help="결합키 항목=열 이름, 쉼표로 구분 (item kinds to your columns), "
        "예: name=성명,birth_date=생년월일,sex=성별,phone=연락처",
        show_default=False,
    ),
    salt_file: Path = typer.Option(
        ..., "--salt-file", help="결합키관리기관이 발급한 32바이트 솔트 (the issued salt)"
    ),
    out_keys: Path = typer.Option(
        ..., "--out-keys", help="결합키 파일 → 결합키관리기관 (key file, .parquet)"
    ),
    out_payload: Path = typer.Option(
        ..., "--out-payload", help="결합대상정보 → 결합전문기관 (payload, .parquet)"
    ),
    vault: Path = typer.Option(..., "--vault", help="추가정보 보관소 (the provider's vault)"),
    policy: Path | None = typer.Option(
        None, "--policy", "-p", help="결합대상정보의 가명처리 정책 (policy for the payload)"
    ),
    key_set: list[str] = typer.Option(
        [],
        "--key-set",
        help="결합키 세트, 여러 번 가능 (key set, repeatable): main=name+birth_date+phone",
    ),
    algorithm: str = typer.Option("hmac-sha256", "--algorithm", help="hmac-sha256 | sha256"),
    combination_id: str | None = typer.Option(
        None, "--combination-id", help="결합 ID (default: the salt's, else a new one)"
    ),
    provider: str | None = typer.Option(
        None, "--provider", help="정보보유기관 (your organisation; default: the salt's receiver)"
    ),
    key_agency: str | None = typer.Option(
        None, "--key-agency", help="결합키관리기관 (default: the salt's sender, else KISA)"
    ),
    agency: str = typer.Option(
        DEFAULT_AGENCY, "--agency", help="결합전문기관 (combination agency)"
    ),
    purpose: str | None = typer.Option(None, "--purpose", help="결합 목적 (purpose)"),
    encoding: str | None = typer.Option(
        None, "--encoding", help="CSV 인코딩 (utf-8, cp949); 생략하면 자동 판별"
    ),
    as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력 (print JSON)"),
) -> None:
    """결합키 파일, 결합대상정보, 보관소의 일련번호 표를 만듭니다.

    Normalize the identifiers (name, date of birth, sex, phone, CI), compute one combination key
    per key set (HMAC-SHA-256 with the salt) and a random serial per record, and write: the key
    file (serial, keys) for the key-management agency, the payload (serial, pseudonymized
    attributes, no identifiers) for the combination agency, and serial ↔ identifiers in the
    vault only. Rows with a missing or invalid identifier are never keyed and are reported.
    """
    from gamyeong.engine.errors import EngineError
    from gamyeong.engine.linkage.provider import (
        DEFAULT_PURPOSE,
        make_combination_files,
        new_combination_id,
    )
    from gamyeong.engine.policy import load_policy
    from gamyeong.engine.vault import Vault

    mapping = _items(items)
    try:
        specs = _specs(key_set, mapping, algorithm)
        received, parties = _salt_and_parties(
            salt_file, combination_id, provider, key_agency, agency
        )
        result = make_combination_files(
            data,
            mapping,
            salt=received.salt,
            vault=Vault(vault),
            out_keys=out_keys,
            out_payload=out_payload,
            parties=parties,
            combination_id=combination_id or received.combination_id or new_combination_id(),
            specs=specs,
            policy=load_policy(policy) if policy else None,
            purpose=purpose or DEFAULT_PURPOSE,
            encoding=encoding,
        )
    except EngineError as exc:
        fail(exc.korean, exc.english)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_summary(Console(highlight=False), data, result, policy is None)


def _items(text: str) -> dict[str, str]:
    """``name=성명,phone=연락처`` → ``{"name": "성명", "phone": "연락처"}``."""
    from gamyeong.engine.linkage.normalize import ITEM_KINDS

    mapping: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        kind, sep, column = part.partition("=")
        kind, column = kind.strip(), column.strip()
        if not sep or not kind or not column:
            fail(
                f"--items는 항목=열 형식입니다 (받은 값: {part!r})",
                f"--items takes item=column pairs (got {part!r})",
            )
        if kind not in ITEM_KINDS:
            allowed = ", ".join(ITEM_KINDS)
            fail(
                f"알 수 없는 결합키 항목 {kind!r} (쓸 수 있는 항목: {allowed})",
                f"unknown key item {kind!r} (allowed: {allowed})",
            )
        if kind in mapping:
            fail(f"--items에 {kind}가 두 번 있습니다", f"--items names {kind} twice")
        mapping[kind] = column
    if not mapping:
        fail("--items가 비어 있습니다", "--items is empty")
    return mapping


def _specs(texts: list[str], items: dict[str, str], algorithm: str) -> list[KeySpec]:
    from gamyeong.engine.linkage.keys import default_spec, parse_key_set

    if not texts:
        return [default_spec(items, algorithm)]
    return [parse_key_set(text, algorithm) for text in texts]


def _salt_and_parties(
    salt_file: Path,
    combination_id: str | None,
    provider: str | None,
    key_agency: str | None,
    agency: str,
) -> tuple[ReceivedSalt, Parties]:
    """The salt (its artifact verified when it has a manifest) and the parties: options first,
    then what the salt's manifest says, then the defaults."""
    from gamyeong.engine.linkage.provider import Parties
    from gamyeong.engine.linkage.salt import receive_salt

    received = receive_salt(salt_file, provider=provider, combination_id=combination_id)
    provider = provider or received.provider
    if provider is None:
        fail(
            "정보보유기관을 --provider로 지정하세요 (솔트에 매니페스트가 없습니다)",
            "name your organisation with --provider (the salt has no manifest)",
        )
    key_agency = key_agency or received.key_agency or DEFAULT_KEY_AGENCY
    return received, Parties(provider, key_agency, agency)


def _print_summary(console: Console, data: Path, result: CombinationFiles, no_policy: bool) -> None:
    report = result.report
    console.print(
        f"{escape(data.name)}: {report.rows:,} 행/rows, 결합 {escape(result.combination_id)}, "
        f"솔트/salt {escape(result.salt_id)}"
    )
    table = Table(title="결합키 / combination keys")
    for header in ("세트 set", "항목 items", "결합키 keyed", "제외 excluded", "중복 duplicates"):
        table.add_column(header)
    for spec in report.key_sets:
        table.add_row(
            spec.name,
            " + ".join(spec.items),
            f"{spec.keyed:,}",
            _excluded(spec),
            f"{spec.duplicate_keys:,} 키/keys, {spec.duplicate_records:,} 행/rows",
        )
    console.print(table)
    for spec in report.key_sets:
        if spec.excluded_examples:
            shown = ", ".join(str(n) for n in spec.excluded_examples)
            console.print(f"제외된 행 예 / excluded rows ({spec.name}): {shown} …")
    console.print(f"결합키관리기관용 / to the KMA: {result.keys} ({result.keys_rows:,} rows)")
    console.print(f"  SHA-256 {result.keys_sha256}")
    console.print(
        f"결합전문기관용 / to the agency: {result.payload} ({result.payload_rows:,} rows, "
        f"{len(result.payload_columns)} columns)"
    )
    console.print(f"  SHA-256 {result.payload_sha256}")
    console.print(f"보관소 / vault table: {result.vault_table}  ({result.seconds:.1f} s)")
    if no_policy:
        console.print(
            "[yellow]주의[/]: --policy가 없어 식별정보 외 열을 그대로 보냅니다 / "
            "without --policy the non-identifier columns go unchanged"
        )


def _excluded(spec: SpecReport) -> str:
    if not spec.excluded:
        return "0"
    reasons = "; ".join(
        f"{kind} {', '.join(f'{REASONS[r]} {n:,}' for r, n in counts.items())}"
        for kind, counts in spec.reasons.items()
    )
    return f"{spec.excluded:,} ({reasons})"


@app.command("extract")
def extract_matched(
    matched: Path = typer.Option(
        ..., "--matched", help="결합키관리기관이 보낸 결합 대상 일련번호 (matched serials)"
    ),
    payload: Path = typer.Option(..., "--payload", help="전체 결합대상정보 (the full payload)"),
    out: Path = typer.Option(..., "--out", help="추출한 결합대상정보 (the restricted payload)"),
) -> None:
    """가명정보 추출: 결합키관리기관이 알려 준 일련번호의 행만 결합전문기관에 보냅니다.

    Extraction: keep only the payload rows whose serials the key-management agency matched, so
    the combination agency receives only the records that combine. Writes a new payload artifact
    (file + manifest) addressed to the same agency.
    """
    from gamyeong.engine.errors import EngineError
    from gamyeong.engine.linkage.extraction import restrict_payload

    try:
        manifest = restrict_payload(matched, payload, out)
    except EngineError as exc:
        fail(exc.korean, exc.english)
    before = manifest.extra.get("rows_before_extraction")
    Console(highlight=False).print(
        f"추출 / extracted: {before:,} → {manifest.rows:,} 행 / rows → {escape(str(out))}"
    )

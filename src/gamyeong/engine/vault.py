"""The provider's vault (추가정보 보관소): secrets and mapping tables, kept apart from any output.

The law (개인정보 보호법 시행령 제29조의5) requires additional information — keys, salts,
mapping tables that could turn pseudonymized data back into identified data — to be stored
separately, with separate access rights. A vault is a directory with mode 0700; each secret is a
file of random bytes (mode 0600) created on first use; each mapping table is a Parquet file. A
vault refuses to hold, or sit inside, a directory that receives pseudonymized output.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

import polars as pl

from gamyeong.engine.errors import EngineError

NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
SECRET_BYTES = 32


class Vault:
    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        try:
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.path.chmod(0o700)
            (self.path / "secrets").mkdir(exist_ok=True, mode=0o700)
            (self.path / "tables").mkdir(exist_ok=True, mode=0o700)
        except OSError as exc:
            raise EngineError(
                f"보관소를 만들 수 없습니다: {self.path} ({exc.strerror})",
                f"cannot create the vault {self.path} ({exc.strerror})",
            ) from None

    def __repr__(self) -> str:
        return f"Vault({self.path})"

    def check_separate_from(self, output: Path) -> None:
        """Refuse an output inside the vault, or a vault inside the output's directory."""
        out_dir = output.resolve().parent
        if out_dir == self.path or self.path in out_dir.parents or out_dir in self.path.parents:
            raise EngineError(
                f"가명정보 출력({output})과 추가정보 보관소({self.path})는 분리해서 보관해야 합니다",
                f"the pseudonymized output ({output}) and the vault of additional information "
                f"({self.path}) must be kept apart",
            )

    def secret(self, name: str, size: int = SECRET_BYTES) -> bytes:
        """The secret called ``name``, created with ``size`` random bytes on first use."""
        path = self.path / "secrets" / f"{_checked(name)}.key"
        if not path.exists():
            _write_atomic(path, secrets.token_bytes(size))
        data = path.read_bytes()
        if len(data) != size:
            raise EngineError(
                f"보관소의 비밀값 '{name}'이(가) 손상되었습니다 ({len(data)}바이트)",
                f"the vault's secret {name!r} is damaged ({len(data)} bytes)",
            )
        return data

    def table_path(self, name: str) -> Path:
        return self.path / "tables" / f"{_checked(name)}.parquet"

    def read_table(self, name: str) -> pl.DataFrame | None:
        path = self.table_path(name)
        return pl.read_parquet(path) if path.exists() else None

    def write_table(self, name: str, table: pl.DataFrame) -> None:
        path = self.table_path(name)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(handle)
        try:
            table.write_parquet(tmp)
            Path(tmp).chmod(0o600)
            Path(tmp).replace(path)
        finally:
            Path(tmp).unlink(missing_ok=True)


def _checked(name: str) -> str:
    if not NAME.match(name):
        raise EngineError(
            f"보관소 항목 이름이 올바르지 않습니다: {name!r} (영문, 숫자, _ . - 만 사용)",
            f"invalid vault entry name {name!r} (letters, digits, _ . - only)",
        )
    return name


def _write_atomic(path: Path, data: bytes) -> None:
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).chmod(0o600)
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)

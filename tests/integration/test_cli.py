"""The command line: clear errors in Korean and English for bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner

from gamyeong.cli import app
from gamyeong.governance import audit

runner = CliRunner()


def test_help_explains_each_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("synth", "serve", "demo", "manage", "audit"):
        assert command in result.output
    synth_help = runner.invoke(app, ["synth", "--help"])
    assert "synthetic" in synth_help.output and "합성" in synth_help.output


def test_synth_with_negative_persons(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--persons", "-3", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--persons" in result.output
    assert "오류" in result.output and "error" in result.output
    assert not (tmp_path / "o").exists()


def test_synth_with_unwritable_out(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["synth", "--persons", "10", "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert "출력 디렉터리에 쓸 수 없습니다" in result.output
    assert "cannot write to the output directory" in result.output


def test_synth_writes_files_and_prints_a_summary(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["synth", "--persons", "500", "--seed", "3", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "manifest.json").exists()
    assert "ssis_persons" in result.output and "500" in result.output


def test_serve_with_unreachable_database(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["GAMYEONG_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:9/nowhere"
    env["GAMYEONG_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "gamyeong", "serve", "--port", "8799"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "데이터베이스에 연결할 수 없습니다" in result.stderr
    assert "cannot connect to the database" in result.stderr
    assert "127.0.0.1:9/nowhere" in result.stderr


def test_bad_setting_is_reported(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["GAMYEONG_LOGIN_FAILURE_LIMIT"] = "many"
    env["GAMYEONG_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "gamyeong", "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "GAMYEONG_LOGIN_FAILURE_LIMIT" in result.stderr


@pytest.mark.django_db
def test_audit_verify_reports_tampering() -> None:
    for i in range(3):
        audit.record("catalog.changed", actor="tester", summary=str(i))
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3" in ok.output
    with connection.cursor() as cursor:
        cursor.execute("UPDATE governance_auditevent SET actor = 'someone' WHERE seq = 2")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "#2" in broken.output and "edited" in broken.output

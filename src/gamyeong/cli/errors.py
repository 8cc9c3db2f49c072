"""Errors for the command line: one message in Korean and English, and a non-zero exit."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(korean: str, english: str, *, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]오류[/]: {korean}\n[bold red]error[/]: {english}")
    raise typer.Exit(code)

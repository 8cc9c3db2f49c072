"""Write the workflows' state diagrams (generated from their tables) into docs/applications.md,
between the ``<!-- diagram:CODE -->`` and ``<!-- /diagram:CODE -->`` markers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gamyeong.applications.workflows import WORKFLOWS, mermaid
from gamyeong.engine import atomic


def _replacement(block: str) -> Any:
    def replace(match: re.Match[str]) -> str:
        return match.group(1) + block + match.group(2)

    return replace


class Command(BaseCommand):
    help = "Regenerate the application state diagrams in docs/applications.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--docs", default=str(Path(settings.PROJECT_DIR) / "docs" / "applications.md")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["docs"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        text = path.read_text(encoding="utf-8")
        for code, flow in WORKFLOWS.items():
            pattern = re.compile(
                rf"(<!-- diagram:{code} -->\n).*?(<!-- /diagram:{code} -->)", re.DOTALL
            )
            if not pattern.search(text):
                raise CommandError(f"{path} has no <!-- diagram:{code} --> markers")
            block = f"```mermaid\n{mermaid(flow)}```\n"
            text = pattern.sub(_replacement(block), text)
        atomic.write_bytes(path, text.encode("utf-8"), mode=0o644)
        self.stdout.write(f"wrote {path}")

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from gamyeong.cli.errors import fail


def assets(
    node_modules: Path = typer.Option(
        Path("node_modules"), help="npm 패키지 디렉터리 (npm packages directory)"
    ),
    out: Path | None = typer.Option(
        None, help="출력 디렉터리, 기본값 GAMYEONG_KRDS_DIR (output; default GAMYEONG_KRDS_DIR)"
    ),
) -> None:
    """KRDS 디자인 시스템 파일(CSS·JS·글꼴·아이콘)을 npm 패키지에서 만들어 둡니다.

    Build the KRDS design-system assets (CSS, JS, Pretendard GOV fonts, icons) and htmx from the
    npm packages installed by `npm ci`, for the portal to serve. `make install` runs it.
    """
    from gamyeong.web.assets import AssetsError, build_assets

    if out is None:
        from gamyeong.cli.django_setup import setup_django

        setup_django()
        from django.conf import settings

        out = Path(settings.KRDS_DIR)
    try:
        files = build_assets(node_modules, out)
    except AssetsError as exc:
        fail(str(exc), str(exc))
    Console().print(f"KRDS: {len(files)} files → {out}")

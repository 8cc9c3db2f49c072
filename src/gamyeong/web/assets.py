"""Building the portal's front-end assets from npm packages (KRDS design system, htmx).

``krds.min.css`` points its icons at https://www.krds.go.kr; the portal serves everything itself
(the content-security policy allows no other origin), so the URLs are rewritten to the icons
shipped in the same npm package. Output is written to a temporary directory and swapped in whole.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

KRDS_REMOTE = "https://www.krds.go.kr/resources/"


class AssetsError(RuntimeError):
    pass


def build_assets(node_modules: Path, out: Path) -> list[Path]:
    krds = node_modules / "krds-uiux" / "resources"
    htmx = node_modules / "htmx.org" / "dist" / "htmx.min.js"
    for required in (krds / "cdn" / "krds.min.css", krds / "cdn" / "krds.min.js", htmx):
        if not required.is_file():
            raise AssetsError(
                f"{required} 파일이 없습니다. `npm ci`로 설치하세요 "
                f"(missing {required}; run `npm ci`)"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".krds-", dir=out.parent))
    try:
        css = (krds / "cdn" / "krds.min.css").read_text(encoding="utf-8")
        (staging / "cdn").mkdir()
        (staging / "cdn" / "krds.min.css").write_text(
            css.replace(KRDS_REMOTE, "../"), encoding="utf-8"
        )
        shutil.copy2(krds / "cdn" / "krds.min.js", staging / "cdn" / "krds.min.js")
        shutil.copytree(krds / "fonts", staging / "fonts")
        shutil.copytree(krds / "img" / "component" / "icon", staging / "img" / "component" / "icon")
        (staging / "htmx").mkdir()
        shutil.copy2(htmx, staging / "htmx" / "htmx.min.js")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in out.rglob("*") if p.is_file())

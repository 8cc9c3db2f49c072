"""JSON as UTF-8: Korean as it is, not as ``\\uXXXX`` escapes (both APIs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ninja.renderers import JSONRenderer


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}

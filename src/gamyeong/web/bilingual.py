"""Models with Korean and English text side by side (``title_ko`` / ``title_en``)."""

from __future__ import annotations

from django.utils.translation import get_language


def localized(obj: object, base: str) -> str:
    """``obj.<base>_en`` when the active language is English and it is filled, else Korean."""
    if (get_language() or "ko").startswith("en"):
        english = getattr(obj, f"{base}_en", "")
        if english:
            return str(english)
    return str(getattr(obj, f"{base}_ko", ""))


def message(korean: str, english: str) -> str:
    """A bilingual message (an error's ``korean``/``english``) in the reader's language."""
    return english if (get_language() or "ko").startswith("en") else korean

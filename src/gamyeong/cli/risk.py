from __future__ import annotations


def risk() -> None:
    """placeholder (identification-risk review)"""

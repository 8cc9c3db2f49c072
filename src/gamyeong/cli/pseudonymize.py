from __future__ import annotations


def pseudonymize() -> None:
    """placeholder (pseudonymization)"""

from __future__ import annotations


def synth() -> None:
    """placeholder"""

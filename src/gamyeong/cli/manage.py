from __future__ import annotations

import typer

from gamyeong.cli.django_setup import setup_django


def manage(ctx: typer.Context) -> None:
    """Django 관리 명령을 그대로 실행합니다 (예: migrate, createsuperuser, shell).

    Run a Django management command, e.g. `gamyeong manage migrate` or
    `gamyeong manage createsuperuser`. `gamyeong manage help` lists them all.
    """
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gamyeong manage", *ctx.args])

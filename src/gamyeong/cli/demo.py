from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gamyeong.cli.django_setup import check_database, check_migrations, setup_django
from gamyeong.cli.errors import fail

app = typer.Typer(
    help="시연용 합성 데이터와 역할별 시연 계정을 준비합니다. Prepare demo data and demo users.",
    invoke_without_command=True,
)


@app.callback()
def demo(
    ctx: typer.Context,
    persons: int | None = typer.Option(
        None, help="합성 인구 수, 기본값 GAMYEONG_DEMO_PERSONS (persons; default from settings)"
    ),
    seed: int | None = typer.Option(None, help="난수 시드, 기본값 GAMYEONG_DEMO_SEED (seed)"),
    reset_credentials: bool = typer.Option(
        False, "--reset-credentials", help="시연 계정의 비밀번호와 TOTP를 새로 발급 (new passwords)"
    ),
) -> None:
    """시연 준비: 합성 데이터 생성, 카탈로그 적재, 역할별 시연 계정 생성.

    Prepare the demo: generate synthetic data (if not there yet), load the data catalog from it
    and create one demo user per role. New users' passwords and TOTP secrets are printed once;
    `--reset-credentials` issues new ones. `gamyeong demo code USER` shows a user's current
    one-time code (demo only).
    """
    if ctx.invoked_subcommand is not None:
        return
    setup_django()
    check_database()
    check_migrations()
    from django.conf import settings

    from gamyeong import demo as demo_setup

    console = Console(highlight=False)
    persons = persons or settings.GAMYEONG_DEMO_PERSONS
    seed = settings.GAMYEONG_DEMO_SEED if seed is None else seed
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    from gamyeong.engine.synth import SynthError

    try:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("합성 데이터 / synthetic data", total=1.0)
            manifest, generated = demo_setup.ensure_synthetic_data(
                persons,
                seed,
                lambda stage, f: progress.update(task, completed=f, description=stage),
            )
    except SynthError as exc:
        fail(exc.korean, exc.english)
    state = "생성함 / generated" if generated else "이미 있음 / already there"
    console.print(
        f"합성 데이터 / synthetic data: {manifest.parent} ({persons:,}명, seed {seed}) — {state}"
    )
    loaded = demo_setup.load_demo_catalog(manifest)
    console.print(
        f"카탈로그 / catalog: 데이터셋 {loaded.datasets}, 항목 {loaded.items}, 자격 {loaded.programmes}"
    )
    created, existing = demo_setup.ensure_demo_users(reset=reset_credentials)
    from django.test.utils import override_settings

    from gamyeong.applications.example import ensure_example_application

    # the example's notifications go to the inbox; no e-mail is printed over the credentials
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        example = ensure_example_application()
    if example is not None:
        console.print(
            f"이용신청 예시 / example application: {example.reference} ({example.get_state_display()})"
        )
    _print_credentials(console, created)
    if existing:
        console.print(
            f"이미 있는 시연 계정 / existing demo users: {', '.join(existing)} "
            "(비밀번호를 다시 받으려면 / for new credentials: gamyeong demo --reset-credentials)"
        )


def _print_credentials(console: Console, created: list) -> None:  # type: ignore[type-arg]
    if not created:
        return
    from gamyeong.accounts import totp

    console.print("\n[bold]시연 계정 (이번 한 번만 표시됩니다) / demo users (shown once)[/]")
    for new in created:
        secret = totp.base32_secret(new.totp_device) if new.totp_device else "-"
        roles = ",".join(new.user.role_codes)
        console.print(
            f"  {new.user.username:<13} 비밀번호/password: {new.password}   "
            f"TOTP: {secret}   ({roles})",
            soft_wrap=True,
        )
    console.print(
        "로그인: 아이디·비밀번호 후 인증 앱(TOTP)의 6자리 코드를 입력합니다. 인증 앱에 위 비밀키를 "
        "등록하거나, 시연용으로 `gamyeong demo code 아이디`로 현재 코드를 볼 수 있습니다.\n"
        "Log in with user and password, then the 6-digit code of an authenticator app set up with "
        "the secret above — or, for the demo, `gamyeong demo code USER` prints the current code."
    )


@app.command("code")
def code(username: str = typer.Argument(..., help="아이디 (user name)")) -> None:
    """시연 계정의 현재 일회용 코드를 보여 줍니다 (시연 전용).

    Print a user's current one-time (TOTP) code — for demos on this machine only.
    """
    setup_django()
    check_database()
    from gamyeong.accounts import totp
    from gamyeong.accounts.models import User

    user = User.objects.filter(username=username).first()
    device = totp.confirmed_device(user) if user else None
    if device is None:
        fail(
            f"'{username}' 사용자가 없거나 등록된 인증 앱이 없습니다",
            f"no user {username!r}, or the user has no authenticator registered",
        )
    Console().print(totp.current_code(device))

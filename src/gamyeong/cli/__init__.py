"""The ``gamyeong`` command line (Typer).

Commands: ``synth`` (synthetic data), ``serve`` (the portal), ``demo`` (demo data and users),
``manage`` (Django management commands), ``audit`` (audit-trail checks), ``assets`` (build KRDS).
"""

from __future__ import annotations

import typer

from gamyeong.cli import (
    assets,
    audit,
    check_output,
    combine,
    demo,
    keys,
    kma,
    manage,
    pseudonymize,
    risk,
    serve,
    synth,
    worker,
)

app = typer.Typer(
    name="gamyeong",
    help=(
        "가명(gamyeong): 사회보장 가명정보의 제공·결합·분석·반출을 다루는 플랫폼입니다.\n\n"
        "gamyeong runs the provision, combination, closed analysis and export review of "
        "pseudonymized social-security data."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
app.command("synth")(synth.synth)
app.command("pseudonymize")(pseudonymize.pseudonymize)
app.command("risk")(risk.risk)
app.command("check-output")(check_output.check_output)
app.command("combine")(combine.combine)
app.add_typer(kma.app, name="kma")
app.add_typer(keys.app, name="keys")
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.add_typer(demo.app, name="demo")
app.command(
    "manage",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)(manage.manage)
app.add_typer(audit.app, name="audit")
app.command("assets")(assets.assets)


def main() -> None:
    app()

"""``gamyeong manage combination_example``: register the example combination (SSIS persons ×
KEIS employment) so that the parties can walk its stages in the portal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gamyeong.accounts.models import User
from gamyeong.combination.errors import CombinationError
from gamyeong.combination.example import create_example


class Command(BaseCommand):
    help = (
        "예시 결합(사회보장정보원 × 고용정보원)을 등록합니다. "
        "Register the example combination (SSIS persons × KEIS employment)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--by",
            default="ssis-combine",
            help="등록하는 결합전문기관 직원의 아이디 (the combination agency staff member)",
        )
        parser.add_argument("--applicant", default=None, help="결합신청 이용기관 (applicant)")
        parser.add_argument("--key-agency", default=None, help="결합키관리기관 (key agency)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"사용자가 없습니다 / no such user: {options['by']}")
        try:
            combination = create_example(
                user, applicant=options["applicant"], key_agency=options["key_agency"]
            )
        except CombinationError as exc:
            raise CommandError(f"{exc.korean} / {exc.english}") from None
        self.stdout.write(
            f"결합 등록 / combination registered: {combination.slug} ({combination.title})\n"
            f"/combination/{combination.slug}/"
        )

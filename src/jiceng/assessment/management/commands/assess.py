"""`jiceng assess ROUND_ID` scores a round; `jiceng assess --starters DISTRICT YEAR` loads the
starter schemes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.assessment import schemes, scoring
from jiceng.assessment.models import Round
from jiceng.core.errors import UserError
from jiceng.geo.models import Division


class Command(BaseCommand):
    help = "计算考核批次的得分；--starters 区划代码 年度：载入起始考核方案。"

    def add_arguments(self, parser):
        parser.add_argument("round", nargs="?", type=int)
        parser.add_argument("--starters", nargs=2, metavar=("DISTRICT", "YEAR"))

    def handle(self, *args, round=None, starters=None, **options):
        if starters:
            district = Division.objects.filter(code=starters[0], level="district").first()
            if district is None or not starters[1].isdigit():
                raise CommandError("区划代码或年度无效。")
            made = schemes.load_starters(district=district, year=int(starters[1]))
            self.stdout.write(f"{len(made)} schemes")
            return
        rnd = Round.objects.filter(pk=round).first() if round else None
        if rnd is None:
            raise CommandError("没有这个考核批次。")
        try:
            n = scoring.score_round(rnd=rnd)
        except UserError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{n} subjects scored")

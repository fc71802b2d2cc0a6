"""`jiceng generate_points`: party members and a year of ledger entries for the benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.errors import UserError
from jiceng.geo.services import SYNTHETIC_DISTRICT
from jiceng.points.generate import generate_entries, generate_party
from jiceng.points.services import rebuild_balances


class Command(BaseCommand):
    help = (
        "在 jiceng generate 生成的区县中生成党组织、党员和一年的积分流水（基准测试用，"
        "仅 PostgreSQL），然后从流水重算积分余额。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", default=SYNTHETIC_DISTRICT, help="合成区县的 6 位代码")
        parser.add_argument("--members", type=int, default=50_000)
        parser.add_argument("--entries", type=int, default=10_000_000)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, code, members, entries, year, seed, **options):
        try:
            generate_party(district=code, members=members, seed=seed, log=self.stdout.write)
            generate_entries(
                district=code, entries=entries, year=year, seed=seed, log=self.stdout.write
            )
        except UserError as exc:
            raise CommandError(exc.message) from exc
        result = rebuild_balances()
        self.stdout.write(self.style.SUCCESS(f"完成：积分余额 {result['balances']} 项。"))

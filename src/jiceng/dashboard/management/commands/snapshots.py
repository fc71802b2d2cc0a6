"""`jiceng snapshots [--date D] [--backfill MONTHS]`: compute the indicators' snapshots now."""

from __future__ import annotations

from datetime import date as Date

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.errors import UserError
from jiceng.core.inputs import check_day
from jiceng.dashboard import snapshots


class Command(BaseCommand):
    help = "计算指标快照：某日（默认昨天）及其所在月、年；--backfill 补算此前若干个月。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="计算哪一天（YYYY-MM-DD，默认昨天）")
        parser.add_argument("--backfill", type=int, default=0, help="补算此前的月数（0-60）")

    def handle(self, *args, date=None, backfill=0, **options):
        day = None
        if date:
            try:
                day = check_day(Date.fromisoformat(date), "date")
            except (ValueError, UserError) as exc:
                raise CommandError(f"日期无效：{date}") from exc
        if not 0 <= backfill <= 60:
            raise CommandError("--backfill 应在 0 至 60 之间。")
        report = snapshots.backfill(backfill, today=day) if backfill else snapshots.run_night(day)
        self.stdout.write(
            f"已写入 {report.rows} 条快照（{report.periods} 个周期），用时 {report.seconds:.1f} 秒。"
        )
        if options.get("verbosity", 1) > 1 and report.by_indicator:
            for key, seconds in sorted(report.by_indicator.items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"  {key}: {seconds:.2f} 秒")

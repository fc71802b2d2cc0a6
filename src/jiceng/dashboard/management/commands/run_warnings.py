"""``jiceng run_warnings``: run every app's warning sources into the warning centre now."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiceng.dashboard.warnings import run_sources


class Command(BaseCommand):
    help = "运行各模块的预警规则，写入预警中心（新预警只通知一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按这一天运行（YYYY-MM-DD），默认今天")
        parser.add_argument("--kind", action="append", help="只运行这一类预警（可重复）")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as e:
                raise CommandError(f"日期格式不对：{options['today']}") from e
        result = run_sources(today=today, kinds=options["kind"])
        self.stdout.write(
            "新增 {opened}，通知 {told}，消除 {cleared}，重新出现 {reopened}，持续 {still}".format(
                **result.as_dict()
            )
        )

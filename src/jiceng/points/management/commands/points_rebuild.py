"""Rebuild every points balance from the ledger and report whether it found the same numbers."""

import time

from django.core.management.base import BaseCommand

from jiceng.points.services import rebuild_balances


class Command(BaseCommand):
    help = "从积分流水重算全部积分余额（--check 只比较，不写入）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只比较，不写入")

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        result = rebuild_balances(fix=not check)
        seconds = time.monotonic() - started
        verdict = "一致" if result["differing"] == 0 else f"{result['differing']} 项不一致"
        action = "" if check or result["differing"] == 0 else "，已按流水改正"
        self.stdout.write(
            f"积分余额 {result['balances']} 项，与流水重算结果{verdict}{action}；用时 {seconds:.1f} 秒。"
        )
        if check and result["differing"]:
            raise SystemExit(1)

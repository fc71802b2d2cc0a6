"""`jiceng generate --scale city`: synthetic city-scale data for the benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from jiceng.cases.generate import generate_cases
from jiceng.community.generate import generate_activities
from jiceng.core.errors import UserError
from jiceng.demo.generate import CITY_CODE, SCALES, generate
from jiceng.geo.models import Division


class Command(BaseCommand):
    help = "生成基准测试用的城市规模数据（10 个街道、100 个社区、1000 个网格、50 万居民）。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="city")
        parser.add_argument("--code", default=CITY_CODE, help="合成区县的 6 位代码")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="再生成这么多案件（含一年的流转记录），用于诉求基准测试",
        )
        parser.add_argument(
            "--activities",
            type=int,
            default=0,
            help="再生成这么多社区活动（前后各半年，含报名），用于社区服务基准测试",
        )

    def handle(
        self, *args, scale: str, code: str, seed: int, cases: int, activities: int = 0, **options
    ):
        try:
            if Division.objects.filter(code=code).exists() and (cases or activities):
                result = {
                    "grids": Division.objects.filter(level="grid", code__startswith=code).count(),
                    "residents": 0,
                    "seconds": 0,
                }
            else:
                result = generate(scale=scale, code=code, seed=seed, log=self.stdout.write)
            if cases:
                generate_cases(district=code, count=cases, seed=seed, log=self.stdout.write)
            if activities:
                generate_activities(
                    district=code, count=activities, seed=seed, log=self.stdout.write
                )
        except UserError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{result['grids']} 个网格，{result['residents']} 名居民，{result['seconds']} 秒。"
            )
        )

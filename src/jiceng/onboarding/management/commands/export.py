"""`jiceng export`: the district's data as open formats in one zip archive (README "Export")."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiceng.core.errors import UserError
from jiceng.onboarding.services import deployed_district, export_district, security_admin_for


class Command(BaseCommand):
    help = (
        "导出本区县录入的全部数据（区划为 GeoJSON，每类记录一个 Excel 工作簿）为一个 zip 文件；"
        "默认证件号码和电话打码，--whole 完整导出须安全管理员以动态验证码确认。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="",
            help="目录或 .zip 文件名（默认 var/exports/）",
        )
        parser.add_argument("--district", default="", help="区县代码（库中有多个区县时）")
        parser.add_argument("--whole", action="store_true", help="完整导出：证件号码和电话不打码")
        parser.add_argument("--security-admin", default="", help="确认完整导出的安全管理员账号")
        parser.add_argument("--otp", default="", help="该安全管理员身份验证器当前的 6 位验证码")

    def handle(self, *args, output, district, whole, security_admin, otp, **options):
        target = Path(output) if output else Path(settings.VAR_DIR) / "exports"
        try:
            place = deployed_district(district)
            admin = None
            if whole:
                if not security_admin:
                    raise CommandError(
                        "完整导出须由安全管理员确认：--whole --security-admin 账号 --otp 验证码。"
                    )
                admin = security_admin_for(district=place, username=security_admin, token=otp)
            result = export_district(
                district=place, output=target, whole=whole, security_admin=admin
            )
        except UserError as exc:
            raise CommandError(exc.message) from exc
        records = sum(f["rows"] for name, f in result.files.items() if name != "places.geojson")
        places = result.files["places.geojson"]["rows"]
        kind = "完整（含完整证件号码和电话）" if whole else "打码"
        self.stdout.write(self.style.SUCCESS(f"已导出：{result.path}"))
        self.stdout.write(
            f"{place}：{places} 个区划，{records} 条记录，{len(result.files) - 1} 类；"
            f"个人号码{kind}。"
        )
        if whole:
            self.stdout.write("此文件含个人信息：请加密保存，用完即删。")

"""`jiceng setup --district CODE`: a district for a real deployment (see README "Going live")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiceng.accounts.roles import Role
from jiceng.core.errors import UserError
from jiceng.geo.codes import short_name
from jiceng.geo.divisions import EDITION, community_kind, district_data, districts
from jiceng.geo.models import Kind
from jiceng.onboarding.services import setup_district


class Command(BaseCommand):
    help = (
        "建立一个区县（正式部署）：从内置的 2023 年统计用区划代码载入其街道、社区和村，"
        "并建立系统管理员、安全管理员、审计管理员（一次性密码，首次登录时改密并绑定双因素）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", help="区县的 6 位统计用区划代码，如 360602")
        parser.add_argument(
            "--list",
            dest="list_prefix",
            nargs="?",
            const="",
            metavar="PREFIX",
            help="列出区划数据中的区县（可给代码前缀，如 36 或 3606）；给出 6 位代码则列出其街道和社区",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="区县已建立（或库中已有别的区县）时仍运行：补齐缺少的，不改动已录入的",
        )
        parser.add_argument(
            "--new-passwords",
            action="store_true",
            help="给尚未登录过的管理员重新发放一次性密码（与 --force 一起用）",
        )
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="网站地址，用于打印下一步（默认 http://127.0.0.1:8000）",
        )

    def handle(
        self, *args, district=None, list_prefix=None, force=False, new_passwords=False, url="", **o
    ):
        if list_prefix is not None:
            return self._list(list_prefix)
        if not district:
            raise CommandError("请用 --district 指定区县的 6 位代码（--list 列出全部）。")
        if _unapplied_migrations():
            raise CommandError("数据库尚未迁移：请先运行 jiceng migrate。")
        try:
            result = setup_district(code=district, force=force, new_passwords=new_passwords)
        except UserError as exc:
            raise CommandError(exc.message) from exc
        data = result.data
        communities = len(data.communities) - data.villages
        verb = "已建立" if result.first_time else "已核对"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}：{data.full_name}（{data.code}），{len(data.streets)} 个街道（乡镇），"
                f"{communities} 个社区，{data.villages} 个村（{EDITION} 年统计用区划代码）。"
            )
        )
        if not result.first_time:
            self.stdout.write(
                f"新增 {result.streets_added} 个街道、{result.communities_added} 个社区和村，"
                f"更名 {result.renamed} 个。"
            )
        base = url.rstrip("/")
        self.stdout.write("管理员（三员分立）：")
        for admin in result.admins:
            label = Role(admin.role).label
            if admin.password:
                self.stdout.write(f"  {label:<6} {admin.username:<12} 一次性密码 {admin.password}")
            else:
                self.stdout.write(f"  {label:<6} {admin.username:<12} 已存在，未改动")
        if any(a.password for a in result.admins):
            self.stdout.write(
                "一次性密码只显示这一次：请分别当面交给三位管理员。首次登录时须用身份验证器应用"
                "扫码绑定双因素，再设置自己的密码。"
            )
        self.stdout.write("\n下一步：")
        for line in (
            "jiceng serve 与 jiceng worker：启动网站和任务进程（见 README“Going live”）",
            f"三位管理员各自在 {base}/accounts/login/ 首次登录：绑定身份验证器并修改密码",
            f"系统管理员先在 {base}/console/geo/import/ 导入网格边界，再在 {base}/console/imports/"
            " 导入单位、党组织、志愿服务队、场地和事件类别",
            f"安全管理员在 {base}/console/imports/ 导入“工作人员”表（账号和角色由安全管理员"
            "负责，三员分立；系统管理员的文件中不能含有此表）",
            "系统管理员再导入党员（党员所填的账号须已由安全管理员导入）",
            f"系统管理员打开上线向导 {base}/console/onboarding/ ：补齐网格员、社区书记、"
            "案件类别的处置单位和下一年的工作日历",
        ):
            self.stdout.write(f"  - {line}")

    def _list(self, prefix: str) -> None:
        prefix = prefix.strip()
        if len(prefix) == 6:
            try:
                data = district_data(prefix)
            except UserError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"{data.full_name}（{data.code}）")
            for code, name in data.streets:
                self.stdout.write(f"  {code} {name}")
                for c, full in data.communities:
                    if c.startswith(code):
                        kind = "村" if community_kind(c) == Kind.VILLAGE else "社区"
                        self.stdout.write(f"    {c} [{kind}] {short_name(full)}")
            return
        found = districts(prefix)
        if not found:
            raise CommandError(f"{EDITION} 年统计用区划代码中没有以“{prefix}”开头的区县。")
        for code, name in found:
            self.stdout.write(f"{code} {name}")
        self.stdout.write(f"共 {len(found)} 个区县。")


def _unapplied_migrations() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))

"""`jiceng rotate_field_key`: re-encrypt every encrypted field under JICENG_FIELD_KEY."""

from django.core.management.base import BaseCommand

from jiceng.core.keyrotation import rotate_field_keys, rows_under_old_keys


class Command(BaseCommand):
    help = "用当前密钥（JICENG_FIELD_KEY）重新加密全部个人信息字段，并重算查找哈希；不停机。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="每批行数（默认 1000）")
        parser.add_argument("--check", action="store_true", help="只统计仍由旧密钥加密的值，不改写")

    def handle(self, *args, batch: int, check: bool, **options):
        if not check:
            rotate_field_keys(batch=batch, log=self.stdout.write)
        left = rows_under_old_keys()
        for label, n in left.items():
            self.stdout.write(f"{label}: 仍由旧密钥加密 {n} 个值")
        if any(left.values()):
            self.stdout.write("仍有旧密钥加密的值：请再次运行本命令后再删除旧密钥。")
        else:
            self.stdout.write("全部字段已由当前密钥加密，可以删除 JICENG_FIELD_KEY_FALLBACKS。")

"""`jiceng restore ARCHIVE [--force]`: put back the database and the uploaded files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiceng.core.backup import BackupError
from jiceng.core.restore import restore_backup


class Command(BaseCommand):
    help = (
        "从 jiceng backup 的归档文件恢复数据库和上传文件。先校验全部校验和；"
        "当前数据库已有数据时须加 --force。请先停止 Web 和任务进程。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="jiceng backup 写出的 .tar 文件")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的数据库和上传文件")

    def handle(self, *args, archive: str, force: bool, **options):
        try:
            restore_backup(archive=Path(archive), force=force, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("备份来自较早的版本：请运行 jiceng migrate。")

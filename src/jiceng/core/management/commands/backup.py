"""`jiceng backup [--output DIR]`: one archive of the database and the uploaded files."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiceng.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "备份数据库和上传文件（MEDIA_ROOT）为一个带清单和校验和的归档文件；服务运行时也可执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="归档文件所在目录（默认 var/backups）",
        )

    def handle(self, *args, output: str, **options):
        try:
            path = make_backup(output_dir=Path(output), log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(str(path))

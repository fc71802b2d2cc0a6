"""`jiceng worker`: the background task worker (Huey; SQLite by default, Redis in production)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务进程（Huey）。"

    def handle(self, *args, **options):
        call_command("run_huey")

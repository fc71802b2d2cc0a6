"""`jiceng serve`: the production web server (gunicorn), configured from the environment."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以 gunicorn 运行网站（生产）。工作进程数取自 WEB_CONCURRENCY，默认 CPU 数 × 2 + 1。"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "0.0.0.0:8000"))

    def handle(self, *args, bind: str, **options):
        workers = os.environ.get("WEB_CONCURRENCY") or str((os.cpu_count() or 1) * 2 + 1)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "jiceng.wsgi:application",
            "--bind",
            bind,
            "--workers",
            workers,
            "--threads",
            os.environ.get("WEB_THREADS", "4"),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            ",".join(settings.FORWARDED_ALLOW_IPS),
        ]
        os.execv(sys.executable, argv)

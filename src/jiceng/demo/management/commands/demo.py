"""`jiceng demo`: the embedded demo — database, demo district, web server and task worker."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.accounts.roles import ROLES, Role
from jiceng.core.errors import UserError
from jiceng.demo.builder import (
    CASE_STUDY_DISTRICTS,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DISTRICT,
    DemoLogin,
    build_demo,
    built_district,
    is_built,
    totp_secret_for,
)
from jiceng.geo.divisions import district_data


class Command(BaseCommand):
    help = "建立并运行演示区（默认鹰潭市月湖区）：数据库、演示数据、网站和任务进程。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--reset", action="store_true", help="删除演示数据库，重新建立")
        parser.add_argument("--no-serve", action="store_true", help="只建立数据，不启动服务")
        parser.add_argument(
            "--residents", type=int, default=3000, help="演示区的居民人数（默认 3000）"
        )
        parser.add_argument(
            "--district",
            default=DISTRICT,
            help=(
                "演示哪个区县（6 位统计用区划代码，默认 360602 月湖区；案例区县："
                + "、".join(CASE_STUDY_DISTRICTS)
                + "）"
            ),
        )

    def handle(
        self,
        *args,
        port: int,
        host: str,
        reset: bool,
        no_serve: bool,
        residents: int = 3000,
        district: str = DISTRICT,
        **options,
    ):
        if not 1 <= port <= 65535:
            raise CommandError(f"端口号无效：{port}")
        if not 10 <= residents <= 100_000:
            raise CommandError(f"居民人数应在 10 至 100000 之间：{residents}")
        try:
            data = district_data(district)
        except UserError as exc:
            raise CommandError(exc.message) from exc
        started = time.monotonic()
        db = settings.DATABASES["default"]
        if reset:
            if db["ENGINE"].endswith("sqlite3"):
                for suffix in ("", "-wal", "-shm"):
                    path = f"{db['NAME']}{suffix}"
                    if os.path.exists(path):
                        os.remove(path)
                # The task queue opened its SQLite file when Django started: deleting the file
                # now would leave it writing into a new file without tables ("no such table:
                # task"). Empty it through the queue instead.
                from huey.contrib.djhuey import HUEY

                HUEY.flush()
            else:
                raise CommandError("--reset 只用于内置的 SQLite 演示数据库；请勿对生产数据库使用。")
        self.stdout.write("正在准备数据库……")
        call_command("migrate", interactive=False, verbosity=0)
        if is_built():
            built = built_district()
            if built is not None and built.code != data.code:
                raise CommandError(
                    f"演示数据库已建立为 {built}；要演示 {data.full_name}（{data.code}），"
                    "请加 --reset 重新建立。"
                )
            self.stdout.write("沿用已有的演示数据（--reset 可重新建立）。")
            logins = _existing_logins()
        else:
            self.stdout.write(f"正在建立演示区：{data.full_name}（{data.code}）……")
            logins = build_demo(residents=residents, district_code=data.code)
        self.stdout.write(f"准备完成，用时 {time.monotonic() - started:.1f} 秒。\n")
        self._print_logins(logins, host, port)
        if no_serve:
            return
        self._run(host, port)

    def _print_logins(self, logins: list[DemoLogin], host: str, port: int) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(self.style.SUCCESS(f"地址：http://{shown}:{port}/"))
        self.stdout.write(f"所有演示账号的密码：{DEMO_PASSWORD}")
        for login in logins:
            line = f"  {login.username:<16} {_role_label(login.role)}（{login.place}）"
            if login.totp_secret:
                line += f"  双因素密钥 {login.totp_secret}（或运行 jiceng totp {login.username}）"
            self.stdout.write(line)

    def _run(self, host: str, port: int) -> None:
        self.stdout.write("按 Ctrl-C 停止。")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        worker = subprocess.Popen([sys.executable, "-m", "jiceng.cli", "worker"], env=env)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "jiceng.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            env=env,
        )
        children = [server, worker]
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        # Ctrl-C (SIGINT) and SIGTERM both stop the demo; set SIGINT explicitly, as a process
        # started in the background by a shell inherits it ignored.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and all(c.poll() is None for c in children):
            time.sleep(0.3)
        failed = [c for c in children if c.poll() not in (None, 0)]
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT if child is worker else signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if failed and not stopping:
            raise CommandError("网站或任务进程意外退出（端口被占用？可用 --port 换一个端口）。")
        self.stdout.write("已停止。")


def _role_label(role: str) -> str:
    return str(Role(role).label)


def _existing_logins() -> list[DemoLogin]:
    users = {u.username: u for u in User.objects.filter(username__in=[a[1] for a in DEMO_ACCOUNTS])}
    logins = []
    for role, username, _ in DEMO_ACCOUNTS:
        user = users.get(username)
        if user is None:
            continue
        a = user.active_assignments[0] if user.active_assignments else None
        place = (a.unit.name if a.unit_id else a.division.name) if a else ""
        secret = base64.b32encode(totp_secret_for(username)).decode() if ROLES[role].admin else ""
        logins.append(DemoLogin(role, username, place, secret))
    return logins

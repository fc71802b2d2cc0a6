"""With Redis configured and then stopped, pages still serve (the cache degrades to no cache,
sessions stay in the database, nobody is logged out, no 500), and the notifications made during
the outage go out once Redis is back. Runs where redis-server is installed: each test starts its
own throwaway server on a free port."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from huey.storage import RedisStorage

from jiceng.core.models import Notification
from jiceng.core.notify import deliver, notify, resend_unsent
from tests.factories import PASSWORD, user_with_role

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


class Recorder:
    """A channel that keeps what it was asked to send."""

    name = "recorder"
    sent: list[int] = []

    def send(self, notification: Notification) -> None:
        Recorder.sent.append(notification.pk)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def _settings_with_redis(monkeypatch, url: str):
    """settings.py as production runs it, with REDIS_URL set (a copy: the live one is kept)."""
    import jiceng.settings

    monkeypatch.setenv("REDIS_URL", url)
    spec = importlib.util.spec_from_file_location("settings_with_redis", jiceng.settings.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def redis_configured(settings, monkeypatch):
    """The production configuration (settings.py with REDIS_URL) pointed at a throwaway
    server: cache, sessions and the task queue."""
    from huey.contrib.djhuey import HUEY

    server = ThrowawayRedis()
    server.start()
    production = _settings_with_redis(monkeypatch, server.url)
    settings.CACHES = production.CACHES
    settings.SESSION_ENGINE = production.SESSION_ENGINE
    for name in ("DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS", "DJANGO_REDIS_LOGGER"):
        if hasattr(production, name):
            setattr(settings, name, getattr(production, name))
    settings.REDIS_URL = server.url
    settings.NOTIFY_CHANNELS = ["tests.core.test_redis_down.Recorder"]
    Recorder.sent = []
    HUEY.immediate = False
    hueys = production.HUEY
    HUEY.storage = RedisStorage(
        "jiceng-test",
        **(
            {"connection_pool": hueys["connection_pool"]}
            if "connection_pool" in hueys
            else {"url": hueys["url"]}
        ),
    )
    try:
        yield server
    finally:
        HUEY.immediate = True  # back to the in-memory queue of the other tests
        server.stop()


def test_pages_serve_and_nobody_is_logged_out_while_redis_is_down(client, places, redis_configured):
    resident = user_with_role("resident", division=places["grid1"])
    staff = user_with_role("community_secretary", division=places["community"])
    client.force_login(resident)
    assert client.get("/m/").status_code == 200

    redis_configured.stop()
    assert client.get("/m/").status_code == 200  # still logged in: the session is in the database
    assert client.get("/m/venues/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["redis"].startswith("error")

    client.logout()
    response = client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert client.get("/console/notifications/").status_code == 200


def test_a_notification_made_while_redis_is_down_goes_out_once_it_is_back(
    places, redis_configured, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    resident = user_with_role("resident", division=places["grid1"])
    with django_capture_on_commit_callbacks(execute=True):
        before = notify(users=[resident], title="您的预约已批准")[0]
    # The worker, while Redis is up: the queued task runs deliver(pk). (Executing the task
    # itself would close the test's database connection, as djhuey does after each task.)
    task = HUEY.dequeue()
    assert "send_notification" in task.name and task.args == (before.pk,)
    deliver(*task.args)
    assert Recorder.sent == [before.pk]

    redis_configured.stop()
    with django_capture_on_commit_callbacks(execute=True):  # no error reaches the request
        during = notify(users=[resident], title="您的诉求已受理")[0]
    assert Notification.objects.filter(pk=during.pk, user=resident).exists()  # in-app at once
    assert Recorder.sent == [before.pk]

    redis_configured.start()  # an empty Redis: the task was never queued
    assert HUEY.dequeue() is None
    later = timezone.now() + timedelta(minutes=11)
    assert resend_unsent(now=later) == 1
    assert Recorder.sent == [before.pk, during.pk]
    assert resend_unsent(now=later) == 0  # never twice through the same channel
    assert Recorder.sent == [before.pk, during.pk]

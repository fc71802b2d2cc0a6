"""On SQLite there is no exclusion constraint: the guarantee is the check under the write lock
(every transaction BEGIN IMMEDIATE). Threads booking overlapping times at once against a real
SQLite file (the test database is in memory and cannot be shared between threads), in a child
process so that it runs the same whichever database the suite uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import json, os, threading
os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
import django
django.setup()
from datetime import datetime, time, timedelta
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
call_command("migrate", verbosity=0)
from jiceng.accounts.models import User
from jiceng.accounts.services import role_assign
from jiceng.core.errors import UserError
from jiceng.geo.models import Division
from jiceng.venues import services
from jiceng.venues.models import Booking

d = Division.objects.create(code="360602", name="区", level="district", kind="district")
s = Division.objects.create(code="360602001", name="街", level="street", kind="street", parent=d)
c = Division.objects.create(code="360602001001", name="社区", level="community", kind="community", parent=s)
def person(name, role):
    u = User.objects.create(username=name)
    role_assign(user=u, role=role, division=c, unit=None, by=None)
    return User.objects.get(pk=u.pk)
secretary = person("sec", "community_secretary")
people = [person(f"r{i}", "resident") for i in range(16)]
venue = services.venue_create(by=secretary, division=c, name="室", address="路", capacity=9,
    windows={k: "08:00-22:00" for k in range(7)}, approval_required=False, closed_on_holidays=False)
day = timezone.localdate() + timedelta(days=3)
tz = timezone.get_current_timezone()
def at(h, m=0):
    return datetime.combine(day, time(h, m), tzinfo=tz)
slots = [(at(9), at(11)), (at(10, 30), at(12)), (at(14), at(15))]
barrier = threading.Barrier(len(people))
outcomes = []
lock = threading.Lock()
def go(i, who):
    try:
        barrier.wait()
        services.booking_create(by=who, venue=venue, starts_at=slots[i % 3][0],
            ends_at=slots[i % 3][1], title="t", attendees=3)
        r = "ok"
    except UserError as exc:
        r = exc.message
    except Exception as exc:
        r = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    with lock:
        outcomes.append(r)
threads = [threading.Thread(target=go, args=(i, p)) for i, p in enumerate(people)]
for t in threads: t.start()
for t in threads: t.join()
approved = list(Booking.objects.filter(status="approved").order_by("starts_at").values_list("starts_at", "ends_at"))
local = lambda t: timezone.localtime(t).strftime("%H:%M")
print(json.dumps({"outcomes": outcomes, "approved": [[local(a), local(b)] for a, b in approved]}))
"""


def test_threads_booking_overlapping_times_on_a_sqlite_file_get_one_per_slot(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["JICENG_VAR_DIR"] = str(tmp_path)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    outcomes = result["outcomes"]
    assert not [o for o in outcomes if "Error" in o], outcomes
    assert outcomes.count("ok") == 2, outcomes  # one of the two overlapping slots, and 14:00
    approved = result["approved"]
    assert approved in (
        [["09:00", "11:00"], ["14:00", "15:00"]],
        [["10:30", "12:00"], ["14:00", "15:00"]],
    )

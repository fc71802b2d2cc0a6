from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import ROLES
from jiceng.demo.builder import DEMO_ACCOUNTS, build_demo
from jiceng.demo.generate import generate
from jiceng.geo.models import Division
from jiceng.party.models import PartyOrg
from tests.demo_snapshot import demo_logins

pytestmark = pytest.mark.django_db


def test_demo_district_has_one_login_per_role_each_landing_in_its_place():
    logins = demo_logins(residents=60)
    assert {login.role for login in logins} == set(ROLES)
    for login in logins:
        user = User.objects.get(username=login.username)
        assert user.roles == {login.role}
        assert user.check_password("Jiceng@2026")
        assert bool(login.totp_secret) == ROLES[login.role].admin


def test_demo_district_is_yuehu_with_real_streets_and_people_in_grids():
    demo_logins(residents=60)
    streets = Division.objects.filter(level="street", code__startswith="360602")
    assert streets.count() == 8
    assert streets.filter(code="360602001", name="江边街道").exists()
    residents = RoleAssignment.objects.filter(role="resident")
    assert residents.count() == 61  # 60 generated and the demo login
    assert all(len(code) == 15 for code in residents.values_list("scope_code", flat=True))
    # every grid has its branch, every community its committee (units' own branches, which
    # register with a community for the two-way evaluation, are not the grids')
    grids = Division.objects.filter(level="grid").count()
    assert PartyOrg.objects.filter(kind="branch", partner__isnull=True).count() == grids
    assert PartyOrg.objects.filter(kind="branch", partner__isnull=False).exists()


def test_demo_command_builds_once_and_reuses_the_data(capsys):
    call_command("demo", no_serve=True)
    first = capsys.readouterr().out
    assert "Jiceng@2026" in first
    assert "Ctrl-C" not in first  # --no-serve builds and returns: nothing to stop
    for _, username, _ in DEMO_ACCOUNTS:
        assert username in first
    users = User.objects.count()
    call_command("demo", no_serve=True)
    again = capsys.readouterr().out
    assert "沿用已有的演示数据" in again
    assert User.objects.count() == users


def test_demo_command_refuses_a_bad_port():
    with pytest.raises(CommandError, match="端口号无效"):
        call_command("demo", no_serve=True, port=70000)


def test_generate_builds_the_scale_and_refuses_to_build_it_twice():
    result = generate(scale="tiny", code="990102", log=lambda *_: None)
    assert result == {"grids": 8, "residents": 200, "register": 200, "seconds": result["seconds"]}
    assert (
        RoleAssignment.objects.filter(role="resident", scope_code__startswith="990102").count()
        == 200
    )
    with pytest.raises(CommandError, match="已存在"):
        call_command("generate", scale="tiny", code="990102")
    assert User.objects.filter(username__startswith="g990102_").count() == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="the demo runs on the embedded default")
def test_jiceng_demo_serves_pages_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["JICENG_VAR_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jiceng.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=2
                ) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert "登录" in body, "the demo did not serve the login page within 90 s"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.status == 200
        assert (tmp_path / "jiceng.sqlite3").exists()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out, _ = proc.communicate(timeout=30)
    assert "已停止" in out
    assert proc.returncode == 0


def test_generated_cases_have_events_that_lead_to_their_stage():
    from jiceng.cases.models import Case, CaseEvent
    from tests.conftest import restore_starter_categories

    restore_starter_categories()
    generate(scale="tiny", code="990105", log=lambda *_: None)
    call_command("generate", scale="tiny", code="990105", cases=300)
    assert Case.objects.count() == 300
    for case in Case.objects.all()[:50]:
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        assert events[0].to_status == "reported"
        assert events[-1].to_status == case.status
        assert case.scope_code.startswith("990105")


def test_demo_party_life_has_members_dues_meetings_and_points():
    from jiceng.party.models import Attendance, DuesPayment, Meeting, Member
    from jiceng.party.selectors import dues_arrears
    from jiceng.points.models import PointEntry
    from jiceng.points.services import rebuild_balances

    build_demo(residents=100)
    member = Member.objects.get(user__username="member")
    assert member.dues_payments.exists() and not dues_arrears(
        user=None, members=Member.objects.filter(pk=member.pk)
    )
    assert Member.objects.count() >= 10 and DuesPayment.objects.count() > Member.objects.count()
    held = Meeting.objects.filter(status="held", org=member.org)
    assert held.count() == 4 and Meeting.objects.filter(status="planned", org=member.org).exists()
    assert Attendance.objects.filter(meeting__in=held, status="present").exists()
    assert PointEntry.objects.filter(member=member).exists()
    # Balances derived from the same ledger: a rebuild finds nothing to change.
    assert rebuild_balances(fix=False)["differing"] == 0
    # the secretary's 述职评议 (report in, graded by the committee and members of the
    # community) and a branch's 民主评议 (self-assessments and mutual grades) are open; the demo
    # member has voted in neither yet (the phone shows the forms)
    from jiceng.assessment.models import Appraisal, AppraisalVote

    report = Appraisal.objects.get(kind="report", person__username="secretary")
    assert report.report and report.is_open() and report.votes.exists()
    branch = Appraisal.objects.filter(kind="democratic")
    org = branch.first().org
    assert branch.count() == Member.objects.filter(org=org, is_active=True).count()
    assert AppraisalVote.objects.filter(appraisal__in=branch).exists()
    assert not AppraisalVote.objects.filter(rater__username="member").exists()


def test_demo_ranks_last_years_handling_units_on_the_hotline_rates():
    """Last year's hotline three rates of the units that handled the demo district's cases:
    published, believable (different totals, every item counted from cases) and solved apart
    from closed."""
    from jiceng.assessment.models import ItemScore, Round

    demo_logins(residents=40)
    rnd = Round.objects.get(scheme__key="hotline_handlers", status=Round.Status.PUBLISHED)
    results = list(rnd.results.order_by("rank", "subject_ref"))
    assert len(results) >= 3 and len({r.total for r in results}) > 1
    assert all(0 < r.total <= 100 for r in results) and results[0].listing == "red"
    items = ItemScore.objects.filter(result__round=rnd, node__indicator__startswith="cases.")
    assert items.exists() and all(
        i.denominator for i in items.filter(node__indicator="cases.response_rate")
    )
    # the newest round on the pages is still the communities' party-building assessment
    newest = Round.objects.order_by("-period_start", "-id").first()
    assert newest.scheme.key == "community_party"


def _demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["JICENG_VAR_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "demo", "--no-serve", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="the demo runs on the embedded default")
def test_jiceng_demo_reset_rebuilds_the_district_from_a_fresh_and_from_a_used_directory(
    tmp_path: Path,
):
    import sqlite3

    first = _demo(tmp_path, "--reset", "--residents", "60")  # a fresh JICENG_VAR_DIR
    assert first.returncode == 0, first.stderr[-2000:]
    db = tmp_path / "jiceng.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE accounts_user SET first_name = 'left over' WHERE username = 'resident'"
        )
        users = conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0]

    again = _demo(tmp_path, "--reset", "--residents", "60")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "no such table" not in again.stderr
    assert "正在建立演示区" in again.stdout and "Jiceng@2026" in again.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0] == users
        assert conn.execute(
            "SELECT count(*) FROM accounts_user WHERE first_name = 'left over'"
        ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM cases_case").fetchone()[0] > 0
    with sqlite3.connect(tmp_path / "tasks.sqlite3") as conn:  # the queue still works
        conn.execute("SELECT count(*) FROM task").fetchone()


def test_the_demo_dispatches_a_pothole_to_urban_management_not_to_a_school(client):
    """Issue 19: the dispatch form preselected the first unit of the list, a middle school."""
    from django.urls import reverse

    from jiceng.cases.models import Case, CaseCategory, StreetDefaultUnit
    from jiceng.cases.selectors import default_unit_id
    from jiceng.partners.models import Partner
    from tests.conftest import restore_starter_categories

    restore_starter_categories()
    demo_logins(residents=40)
    assert StreetDefaultUnit.objects.values("street").distinct().count() == 8
    street = User.objects.get(username="street")
    road = CaseCategory.objects.get(code="0201")  # 道路或人行道破损
    case = Case.objects.filter(scope_code__startswith=street.scope_codes[0]).first()
    case.category, case.status, case.triage = road, "filed", "major"
    case.save()
    assert Partner.objects.get(pk=default_unit_id(case)).name == "月湖区城市管理局"
    client.force_login(street)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    unit = Partner.objects.get(name="月湖区城市管理局")
    assert f'<option value="{unit.pk}" selected>' in page

"""The demo's money: for the year, a 为民服务专项资金 line for every community of the district
(200,000 yuan, two of them below the rule so that the warning shows), a 惠民项目资金 line for
every street and a unit's contribution in the first community; allocations to the year's
projects; and a year of spending, month by month, each with its voucher (one of a few drawn
receipts) and its approver. The latest few wait for the street's approval.

Lines and allocations go through the services (their checks and audit); the year of spending
goes straight into the table (as the other demos' records do), inside each allocation."""

from __future__ import annotations

import contextlib
import io
import random
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import Role
from jiceng.core.errors import UserError
from jiceng.core.scope import covers
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.projects import funds
from jiceng.projects.fund_kinds import load_fund_kinds
from jiceng.projects.models import (
    Allocation,
    FundKind,
    FundLine,
    Project,
    ProjectKind,
    Spending,
)

PURPOSES = [
    ("材料采购", "信江建材商行"),
    ("施工费", "月湖建设工程有限公司"),
    ("设备购置", "白露机电设备有限公司"),
    ("活动物资", "东湖百货"),
    ("宣传印刷", "梅园印务"),
    ("维修费", "童家物业维修服务部"),
]


def _vouchers(n: int = 4) -> list[str]:
    """A few drawn receipts, stored once and shared by the demo's records."""
    names = []
    for i in range(n):
        image = Image.new("RGB", (360, 240), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle([8, 8, 351, 231], outline="black", width=2)
        for y in range(40, 220, 24):
            draw.line([24, y, 336, y], fill=(180, 180, 180))
        draw.text((24, 16), f"RECEIPT No. 2026-{i + 1:04d}", fill="black")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=70)
        names.append(
            default_storage.save(f"funds/demo/voucher-{i + 1}.jpg", ContentFile(out.getvalue()))
        )
    return names


def _staff(role: str, code: str) -> User | None:
    """Someone holding ``role`` at or above the place ``code``."""
    for a in RoleAssignment.objects.active().filter(role=role).select_related("user", "division"):
        if a.division_id and covers([a.division.code], code):
            return a.user
    return None


def _fallback_projects(district: Division, communities, year: int) -> None:
    """When the projects demo has not run: one 实事 project per community to give money to."""
    kind, _ = ProjectKind.objects.get_or_create(code="shishi", defaults={"name": "实事项目"})
    owner = _staff(Role.COMMUNITY_SECRETARY, district.code)
    for c in communities:
        Project.objects.create(
            kind=kind,
            title=f"{c.name}惠民实事",
            place=c,
            owner=owner,
            year=year,
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
            status=Project.Status.ACTIVE,
            created_by=owner,
        )


def _line(keeper, **kw) -> FundLine:
    """The place's line of this kind and year: the one there, or a new one."""
    found = FundLine.objects.filter(
        kind=kw["kind"], place=kw["place"], year=kw["year"], unit=kw.get("unit")
    ).first()
    return found or funds.line_create(by=keeper, **kw)


def _allocate(keeper, line, project, amount, into: list) -> None:
    """Allocate when the line has room and the project has none from it yet."""
    with contextlib.suppress(UserError):
        into.append(funds.allocation_create(by=keeper, line=line, project=project, amount=amount))


def build_funds_demo(*, district: str, seed: int = 14) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    year = today.year
    place = Division.objects.get(code=district)
    communities = list(Division.objects.within(district).filter(level="community").order_by("code"))
    streets = list(Division.objects.within(district).filter(level="street").order_by("code"))
    keeper = _staff(Role.DISTRICT_STAFF, district) or _staff(Role.STREET_STAFF, district)
    if keeper is None or not communities:
        return {"lines": 0, "allocations": 0, "spending": 0}
    if not Project.objects.within(district).filter(year=year).exists():
        _fallback_projects(place, communities, year)
    if not FundKind.objects.filter(code="service_fund").exists():
        load_fund_kinds(FundKind)  # a test that flushed the tables
    service = FundKind.objects.get(code="service_fund")
    benefit = FundKind.objects.get(code="benefit_fund")
    unit_kind = FundKind.objects.get(code="unit_contribution")
    projects: dict[str, list[Project]] = {}
    for p in (
        Project.objects.within(district)
        .filter(year=year)
        .exclude(status=Project.Status.CANCELLED)
        .order_by("id")
    ):
        projects.setdefault(p.scope_code[:12], []).append(p)
    lines, allocations = 0, []
    with transaction.atomic():
        for i, c in enumerate(communities):
            amount = Decimal("150000.00") if i in (3, 7) else Decimal("200000.00")
            line = _line(keeper, kind=service, place=c, year=year, amount=amount)
            lines += 1
            for p in projects.get(c.code, [])[:4]:
                share = (amount * Decimal(rng.choice([15, 20, 25])) / 100).quantize(Decimal("1"))
                _allocate(keeper, line, p, share, allocations)
        for s in streets:
            line = _line(keeper, kind=benefit, place=s, year=year, amount=Decimal("1000000.00"))
            lines += 1
            theirs = [
                p for code, ps in projects.items() if covers([s.code], code) for p in ps[4:6]
            ][:5]
            for p in theirs:
                _allocate(
                    keeper, line, p, Decimal(rng.choice([80000, 120000, 150000])), allocations
                )
        unit = Partner.objects.within(district).exclude(kind="department").order_by("id").first()
        first = communities[0]
        if unit is not None:
            line = _line(
                keeper,
                kind=unit_kind,
                place=first,
                year=year,
                amount=Decimal("50000.00"),
                unit=unit,
            )
            lines += 1
            for p in projects.get(first.code, [])[:1]:
                _allocate(keeper, line, p, Decimal("30000.00"), allocations)
    rows = _spending(allocations, rng, today)
    return {"lines": lines, "allocations": len(allocations), "spending": rows}


def _spending(allocations: list[Allocation], rng: random.Random, today: date) -> int:
    """Month by month up to today: each allocation spends about 70% of itself over the year;
    the last record of a few allocations waits for approval."""
    if not allocations:
        return 0
    vouchers = _vouchers()
    rows = []
    people: dict[str, tuple[User | None, User | None]] = {}
    for n, a in enumerate(allocations):
        code = a.scope_code
        if code not in people:
            recorder = (
                _staff(Role.COMMUNITY_SECRETARY, code)
                or _staff(Role.COMMUNITY_WORKER, code)
                or _staff(Role.STREET_STAFF, code)
            )
            approver = _staff(Role.STREET_STAFF, code) or _staff(Role.DISTRICT_STAFF, code)
            if approver == recorder:
                approver = _staff(Role.DISTRICT_STAFF, code)
            people[code] = (recorder, approver)
        recorder, approver = people[code]
        if recorder is None or approver is None:
            continue
        months = list(range(1, today.month + 1))
        budget = (a.amount * Decimal("0.7")).quantize(Decimal("0.01"))
        per = (budget / max(len(months), 1)).quantize(Decimal("0.01"))
        for m in months:
            day = date(
                today.year, m, min(rng.randint(3, 27), today.day if m == today.month else 28)
            )
            amount = (per * Decimal(rng.randint(60, 140)) / 100).quantize(Decimal("0.01"))
            if amount <= 0:
                continue
            purpose, payee = rng.choice(PURPOSES)
            pending = m == today.month and n % 3 == 0
            rows.append(
                Spending(
                    allocation_id=a.pk,
                    line_id=a.line_id,
                    amount=amount,
                    spent_on=day,
                    purpose=f"{a.project.title}{purpose}",
                    payee=payee,
                    voucher=rng.choice(vouchers),
                    status=Spending.Status.PENDING if pending else Spending.Status.APPROVED,
                    recorded_by=recorder,
                    approved_by=None if pending else approver,
                    decided_at=None if pending else timezone.now(),
                    scope_code=a.scope_code,
                )
            )
    Spending.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

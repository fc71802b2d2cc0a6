"""The cast around our community's money: the street keeps the lines and approves, the
community's staff record spending, the neighbour's secretary and a resident see nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jiceng.projects import funds
from jiceng.projects.models import FundKind, Project, ProjectKind
from tests.factories import UserFactory, user_with_role

YEAR = timezone.localdate().year


def photo(name="voucher.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def fund_kind(code="service_fund") -> FundKind:
    defaults = {"name": "为民服务专项资金", "order": 10}
    if code == "service_fund":
        defaults.update(minimum=Decimal("200000.00"), rule_level="community")
    kind, _ = FundKind.objects.get_or_create(code=code, defaults=defaults)
    return kind


def make_project(place, owner, title="加装电梯", year=YEAR) -> Project:
    kind, _ = ProjectKind.objects.get_or_create(code="shishi", defaults={"name": "实事项目"})
    return Project.objects.create(
        kind=kind,
        title=title,
        place=place,
        owner=owner,
        year=year,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        status=Project.Status.ACTIVE,
        created_by=owner,
    )


@pytest.fixture
def cast(places):
    c = {
        "places": places,
        "community": places["community"],
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "worker": user_with_role("community_worker", division=places["community"]),
        "street": user_with_role("street_staff", division=places["street"]),
        "street2": user_with_role("street_staff", division=places["street"]),
        "district": user_with_role("district_staff", division=places["district"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "alice": user_with_role("resident", division=places["grid1"]),
        "nobody": UserFactory(),
    }
    c["project"] = make_project(places["community"], c["secretary"])
    c["line"] = funds.line_create(
        by=c["street"],
        kind=fund_kind(),
        place=places["community"],
        year=YEAR,
        amount=Decimal("200000.00"),
    )
    c["allocation"] = funds.allocation_create(
        by=c["street"], line=c["line"], project=c["project"], amount=Decimal("50000.00")
    )
    return c


def spend(cast, amount="1000.00", by="secretary", allocation=None, **kw):
    return funds.spending_record(
        by=cast[by],
        allocation=allocation or cast["allocation"],
        amount=Decimal(amount),
        spent_on=kw.pop("spent_on", timezone.localdate()),
        purpose=kw.pop("purpose", "电梯井道施工"),
        payee=kw.pop("payee", "某建设公司"),
        voucher=kw.pop("voucher", photo()),
    )

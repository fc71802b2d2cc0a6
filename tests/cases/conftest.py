from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jiceng.cases.models import Case, CaseCategory
from tests.conftest import restore_starter_categories
from tests.factories import partner, user_with_role


@pytest.fixture
def cast(places):
    """Everyone around one case in grid1 of our community."""
    department = partner("城市管理局", "department", places["district"])
    other_unit = partner("住建局", "department", places["district"])
    return {
        "places": places,
        "department": department,
        "other_unit": other_unit,
        "resident": user_with_role("resident", division=places["grid1"]),
        "neighbour_resident": user_with_role("resident", division=places["grid_n"]),
        "grid_worker": user_with_role("grid_worker", division=places["grid1"]),
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "street": user_with_role("street_staff", division=places["street"]),
        "handler": user_with_role("department_staff", unit=department),
        "other_handler": user_with_role("department_staff", unit=other_unit),
    }


@pytest.fixture(autouse=True)
def starter_categories(db):
    """The starter set a migration loads; put back when a transactional test flushed it."""
    restore_starter_categories()


@pytest.fixture
def category(starter_categories):
    return CaseCategory.objects.get(code="0101")  # 井盖破损或缺失, from the starter set


def make_case(cast, category, status="reported", **extra) -> Case:
    now = timezone.now()
    defaults = {
        "number": f"T{Case.objects.count() + 1:06d}",
        "category": category,
        "description": "井盖缺失",
        "status": status,
        "source": "resident",
        "reporter": cast["resident"],
        "scope_code": cast["places"]["grid1"].code,
        "stage_started_at": now,
        "deadline_at": now + timezone.timedelta(hours=1),
        "triage": "major",
        "handler": cast["department"]
        if status in ("dispatched", "in_progress", "handled")
        else None,
    }
    defaults.update(extra)
    return Case.objects.create(**defaults)


def site_photo(name: str = "现场.jpg") -> SimpleUploadedFile:
    """A small photo taken on site, as a verifier's phone sends it."""
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 90)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")

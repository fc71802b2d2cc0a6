"""The cast around our community's projects: its secretary and worker, a first secretary (a
member who owns a project), the street's staff (the supervisor) and a colleague, the district,
the neighbour's secretary, residents of ours and of the neighbour, an account with no role."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jiceng.projects import services
from jiceng.projects.models import ProjectKind
from tests.factories import UserFactory, user_with_role

YEAR = date.today().year


def png(name="整改.png"):
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (20, 90, 160)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def kind(code: str) -> ProjectKind:
    return ProjectKind.objects.get(code=code)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast(places):
    return {
        "places": places,
        "community": places["community"],
        "secretary": user_with_role(
            "community_secretary", division=places["community"], full_name="王书记"
        ),
        "worker": user_with_role("community_worker", division=places["community"]),
        "first": user_with_role("member", division=places["community"], full_name="李第一书记"),
        "street": user_with_role("street_staff", division=places["street"], full_name="赵督查"),
        "street2": user_with_role("street_staff", division=places["street"]),
        "district": user_with_role("district_staff", division=places["district"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "alice": user_with_role("resident", division=places["grid1"], full_name="艾丽"),
        "neighbour": user_with_role("resident", division=places["grid_n"]),
        "nobody": UserFactory(),
    }


def make_project(
    cast,
    *,
    code="first_secretary",
    title="口袋公园改造",
    parent=None,
    weight=1,
    owner=None,
    place=None,
    starts=None,
    ends=None,
    **extra,
):
    return services.project_create(
        by=cast["secretary"],
        kind=kind(code),
        place=place or cast["community"],
        title=title,
        starts_on=starts or date(YEAR, 1, 1),
        ends_on=ends or date(YEAR, 12, 31),
        owner=owner or cast["first"],
        parent=parent,
        weight=weight,
        **extra,
    )


@pytest.fixture
def project(cast):
    return make_project(cast)

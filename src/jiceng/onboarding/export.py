"""`jiceng export`: everything a district entered, in open formats, in one zip archive.

- ``places.geojson``: the division tree (district, streets, communities and villages, grids) as
  a GeoJSON FeatureCollection (WGS 84), each feature with its code, name, level, kind and parent
  code; a place without a boundary has a null geometry.
- ``records/<app>.<model>.xlsx``: one workbook per record type (every table of jiceng's apps),
  one row per record, a heading row of column names, written through ``core.excel.SafeWorkbook``
  (text stays text). Tables are found through Django's app registry, so a new app's records are
  exported without naming it here.
- ``golive/*.xlsx``: the units, staff, party organizations, members, volunteer teams, venues
  and case categories in the going-live import's own workbook format (``imports.export``), so
  that the export is importable at ``/console/imports/`` in the files' numbered order (the staff
  workbook by the security administrator).
- ``manifest.json``: the district, when, masked or whole, and each file's rows and SHA-256.

Masked (the default): ID and phone numbers are masked as the pages show them (6+4, 3+4); whole
(``whole=True``) needs the security administrator (checked by the caller) and has them in clear.
Never exported: passwords, lookup hashes, second-factor keys, sessions, login attempts, the task
queue. Uploaded files are in ``jiceng backup``, not here.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from jiceng.core.excel import SafeWorkbook
from jiceng.core.fields import EncryptedCharField
from jiceng.core.personal import mask_id_number, mask_phone
from jiceng.geo.models import Division
from jiceng.imports.export import GOLIVE_FILES, golive_workbook

FORMAT = "jiceng-export/1"
# Apps whose tables hold no record a district entered (or hold secrets).
SKIPPED_APPS = {"admin", "auth", "axes", "contenttypes", "otp_totp", "sessions", "django_otp"}
SKIPPED_FIELDS = {"password"}
# Columns exported elsewhere: a division's boundary is its geometry in places.geojson.
ELSEWHERE = {"geo.division": {"boundary"}}
ROWS_PER_SHEET = 1_000_000  # Excel holds 1,048,576 rows a sheet


@dataclass
class ExportResult:
    path: Path
    district: str
    whole: bool
    files: dict[str, dict[str, Any]] = field(default_factory=dict)


def record_models() -> list[type[models.Model]]:
    """Every concrete table of jiceng's apps (and accounts' users), in app order."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in SKIPPED_APPS or meta.proxy or not meta.managed:
            continue
        if not model.__module__.startswith("jiceng."):
            continue
        found.append(model)
    return found


def _columns(model: type[models.Model]) -> list[models.Field]:
    hashes = {
        f.hash_field for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)
    }
    skipped = SKIPPED_FIELDS | hashes | ELSEWHERE.get(model._meta.label_lower, set())
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in skipped and not isinstance(f, models.BinaryField)
    ]


def _mask(f: models.Field, value: Any) -> Any:
    if not value:
        return value
    kind = getattr(f, "hash_kind", "")
    if kind == "id":
        return mask_id_number(str(value))
    if kind == "phone":
        return mask_phone(str(value))
    return "*" * len(str(value))


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, Decimal, date)):
        if isinstance(value, datetime):
            return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _rows(model: type[models.Model], district: str, whole: bool) -> Iterator[list[Any]]:
    columns = _columns(model)
    qs = model._base_manager.all()
    names = {f.name for f in model._meta.concrete_fields}
    if model is Division:
        qs = qs.filter(code__startswith=district)
    elif "scope_code" in names:
        qs = qs.filter(scope_code__startswith=district)
    encrypted = [isinstance(f, EncryptedCharField) for f in columns]
    for values in qs.order_by("pk").values_list(*[f.attname for f in columns]).iterator(2000):
        yield [
            _cell(v if whole or not enc else _mask(f, v))
            for f, v, enc in zip(columns, values, encrypted, strict=True)
        ]


def _workbook(model: type[models.Model], district: str, whole: bool, target) -> int:
    book = SafeWorkbook()
    heading = [f.attname for f in _columns(model)]
    count, sheet = 0, None
    for row in _rows(model, district, whole):
        if count % ROWS_PER_SHEET == 0:
            sheet = book.sheet(f"{model._meta.model_name}-{count // ROWS_PER_SHEET + 1}")
            sheet.append(heading)
        sheet.append(row)
        count += 1
    if sheet is None:
        book.sheet(f"{model._meta.model_name}-1").append(heading)
    book.save(target)
    return count


def places_geojson(district: str) -> dict[str, Any]:
    """The district's division tree as a GeoJSON FeatureCollection."""
    features = []
    rows = (
        Division.objects.filter(code__startswith=district)
        .order_by("code")
        .values_list("code", "name", "level", "kind", "parent__code", "boundary", "is_active")
    )
    for code, name, level, kind, parent, boundary, active in rows.iterator(2000):
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "code": code,
                    "name": name,
                    "level": level,
                    "kind": kind,
                    "parent": parent or "",
                    "active": active,
                },
                "geometry": boundary,
            }
        )
    return {"type": "FeatureCollection", "name": district, "features": features}


def write_export(*, district: str, path: Path, whole: bool = False) -> ExportResult:
    """Write the archive of ``district`` to ``path`` (a new file, readable by its owner only)."""
    result = ExportResult(path=path, district=district, whole=whole)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as raw:
        path.chmod(0o600)
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:

            def add(name: str, data: bytes, rows: int) -> None:
                archive.writestr(name, data)
                result.files[name] = {"rows": rows, "sha256": hashlib.sha256(data).hexdigest()}

            places = places_geojson(district)
            add(
                "places.geojson",
                json.dumps(places, ensure_ascii=False).encode("utf-8"),
                len(places["features"]),
            )
            for model in record_models():
                buffer = io.BytesIO()
                rows = _workbook(model, district, whole, buffer)
                add(f"records/{model._meta.label_lower}.xlsx", buffer.getvalue(), rows)
            for name, sheets in GOLIVE_FILES:
                data, rows = golive_workbook(district, whole=whole, sheets=sheets)
                add(name, data, rows)
            manifest = {
                "format": FORMAT,
                "district": district,
                "made_at": timezone.now().isoformat(),
                "personal_numbers": "whole" if whole else "masked",
                "files": result.files,
            }
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return result

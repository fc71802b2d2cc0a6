"""The import of a district's GIS boundaries as the pages run it: upload and check (nothing
written), preview on the map, confirm (everything, or explicitly only the places without
errors), audited; the file kept for ``JICENG_IMPORT_KEEP_DAYS`` days, then removed by a
periodic task (``geo.tasks.purge_place_imports``)."""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.excel import SafeWorkbook
from jiceng.core.uploads import purge_kept_files
from jiceng.geo import gis
from jiceng.geo.models import Division, Level, PlaceImport

# geo sits below accounts: the roles by their values (the system administrator configures the
# district's places; the district's organization department staff may too).
IMPORT_ROLES = ("system_admin", "district_staff")


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "place-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def importer_district(user) -> Division:
    """The district whose places ``user`` may import (their district-level assignment)."""
    codes = [c for c in user.scopes_for(*IMPORT_ROLES) if len(c) == 6]
    district = (
        Division.objects.filter(code__in=codes, level=Level.DISTRICT).order_by("code").first()
    )
    if district is None:
        raise Forbidden(_("只有本区的系统管理员和区委组织部工作人员可以导入边界。"))
    return district


def visible_imports(user):
    codes = [c for c in user.scopes_for(*IMPORT_ROLES) if len(c) == 6]
    return PlaceImport.objects.filter(district__code__in=codes).select_related("by", "district")


def import_for(user, pk: int) -> PlaceImport:
    job = visible_imports(user).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("没有找到这次导入。"))
    return job


def _checked(job: PlaceImport) -> gis.Checked:
    path = Path(job.path) if job.path else None
    if path is None or not path.exists():
        raise UserError(_("文件已超过保存期限被删除，请重新上传。"))
    return gis.check(
        district=job.district,
        features=gis.read_file(path.read_bytes(), job.file_name),
        system=job.system,
    )


def place_import_submit(*, by, upload, system: str) -> PlaceImport:
    """Keep the file and check it whole; nothing is written to the places."""
    district = importer_district(by)
    if upload is None:
        raise UserError(_("请选择要导入的文件。"), field="file")
    if upload.size > gis.MAX_BYTES:
        raise UserError(_("文件超过 50 MB。"), field="file")
    if system not in gis.coords.System.values:
        raise UserError(_("请选择文件的坐标系。"), field="system")
    data = b"".join(upload.chunks())
    suffix = ".zip" if data[:2] == b"PK" else ".geojson"
    path = import_dir() / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    job = PlaceImport(
        by=by, district=district, file_name=upload.name[:200], path=str(path), system=system
    )
    try:
        checked = gis.check(
            district=district, features=gis.read_file(data, upload.name), system=system
        )
    except UserError as exc:
        job.status, job.message = PlaceImport.Status.REFUSED, exc.message[:500]
        checked = None
    else:
        job.status = PlaceImport.Status.CHECKED
        job.features = checked.features
        job.errors = [e.as_dict() for e in checked.errors]
        job.warnings = [e.as_dict() for e in checked.warnings]
    with transaction.atomic():
        job.save()
        audit(
            actor=by,
            action="geo.place_import_check",
            obj=job,
            scope_code=district.code,
            detail={
                "file": job.file_name,
                "system": system,
                "features": job.features,
                "errors": len(job.errors),
                "refused": job.message[:200],
            },
        )
    return job


def place_import_apply(*, job: PlaceImport, by, valid_only: bool = False) -> PlaceImport:
    """Write the checked places: all of them when the file has no error, or, when the person
    chooses so, only those without one. The file is checked again first (the places may have
    changed since the preview)."""
    if job.status != PlaceImport.Status.CHECKED:
        raise UserError(
            _("这次导入已{status}，不能再次确认。").format(status=job.get_status_display())
        )
    checked = _checked(job)
    if checked.errors and not valid_only:
        raise UserError(
            _(
                "文件有 {n} 个图形有错误，没有导入任何图形。请修改后重新上传，"
                "或勾选“只导入无误的图形”。"
            ).format(n=len(checked.failed_rows))
        )
    places = checked.good()
    if not places:
        raise UserError(_("没有可导入的图形。"))
    with transaction.atomic():
        locked = PlaceImport.objects.select_for_update().get(pk=job.pk)
        if locked.status != PlaceImport.Status.CHECKED:
            raise UserError(_("这次导入已确认过。"))
        tally = gis.apply(places)
        job.status = PlaceImport.Status.APPLIED
        job.created, job.updated, job.unchanged = tally.created, tally.updated, tally.unchanged
        job.skipped = len(checked.failed_rows)
        job.errors = [e.as_dict() for e in checked.errors]
        job.applied_at = timezone.now()
        job.save()
        audit(
            actor=by,
            action="geo.place_import",
            obj=job,
            scope_code=job.district.code,
            detail={
                "file": job.file_name,
                "created": tally.created,
                "updated": tally.updated,
                "unchanged": tally.unchanged,
                "skipped": job.skipped,
                "valid_only": valid_only,
            },
        )
    return job


def preview(job: PlaceImport) -> list[SimpleNamespace]:
    """The file's places as the map draws them (codes with errors marked)."""
    try:
        checked = _checked(job)
    except UserError:
        return []
    return [
        SimpleNamespace(code=p.code, name=p.name, level=p.level, boundary=mapping(p.geom))
        for p in sorted(checked.places, key=lambda p: (-len(p.code), p.code))
    ]


def report_bytes(job: PlaceImport) -> bytes:
    """One row per problem (errors, then warnings), through the safe writer."""
    wb = SafeWorkbook()
    ws = wb.sheet(_("边界校验报告"))
    ws.append([_("图形序号"), _("编码"), _("名称"), _("级别"), _("原因")])
    for kind, rows in ((_("错误"), job.errors), (_("提示"), job.warnings)):
        for e in rows:
            ws.append([e["row"], e["column"], e.get("name", ""), kind, e["reason"]])
    return wb.to_bytes()


def purge_files(*, now=None) -> int:
    """Remove the files of imports older than the keeping period (the records stay)."""
    return purge_kept_files(PlaceImport.objects.all(), now=now)

"""`jiceng backup` and `jiceng restore`: a restored copy has the same rows, files and audit log.

These run on whichever database the suite runs on: SQLite (online backup API) by default,
PostgreSQL (pg_dump / pg_restore) with DATABASE_URL set.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jiceng.core.audit import audit
from jiceng.core.models import AuditEntry
from tests.factories import UserFactory

AUDIT_FIELDS = ["id", "at", "actor_id", "actor_name", "action", "object_type", "object_id"]
AUDIT_FIELDS += ["object_repr", "scope_code", "ip", "detail"]


def database_fingerprint() -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its content (rows in a canonical order)."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result


def audit_log() -> list[tuple]:
    return list(AuditEntry.objects.order_by("id").values_list(*AUDIT_FIELDS))


def media_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _uploads_and_an_audit_entry(media: Path) -> None:
    photos = media / "cases" / "2026" / "11"
    photos.mkdir(parents=True, exist_ok=True)
    (photos / "a.jpg").write_bytes(b"\xff\xd8 photo of a broken lamp \xff\xd9")
    (media / "wishes").mkdir(exist_ok=True)
    (media / "wishes" / "书包.png").write_bytes(b"\x89PNG wish photo")
    admin = UserFactory(username="backup-owner")
    audit(actor=admin, action="test.before_backup", detail={"n": 1, "text": "中文"})


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    """The demo district (small) with its uploaded files, on a database the commands can see."""
    from jiceng.demo.builder import build_demo
    from tests.conftest import restore_starter_categories
    from tests.party.conftest import restore_regulation_data

    settings.MEDIA_ROOT = tmp_path / "media"
    restore_starter_categories()
    restore_regulation_data()
    build_demo(residents=40)
    _uploads_and_an_audit_entry(settings.MEDIA_ROOT)
    return settings.MEDIA_ROOT


@pytest.fixture
def site(transactional_db, settings, tmp_path, places):
    """A few places, accounts, uploads and audit entries: enough for the refusals."""
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory.create_batch(3)
    _uploads_and_an_audit_entry(settings.MEDIA_ROOT)
    return settings.MEDIA_ROOT


def backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    return Path(out.getvalue().strip().splitlines()[-1])


def test_a_restored_copy_has_the_same_rows_files_and_audit_log(district, tmp_path):
    rows, log, files = database_fingerprint(), audit_log(), media_files(district)
    assert rows["accounts_user"][0] > 10 and rows["registry_person"][0] > 0
    assert {"cases/2026/11/a.jpg", "wishes/书包.png"} <= set(files)
    archive = backup(tmp_path)

    # Life goes on after the backup: new rows, changed rows, a photo lost, another added.
    UserFactory(username="after-backup")
    AuditEntry.objects.create(action="test.after_backup")
    from jiceng.accounts.models import User

    User.objects.filter(username="backup-owner").update(first_name="changed")
    (district / "cases" / "2026" / "11" / "a.jpg").unlink()
    (district / "stray.txt").write_text("not in the backup")

    out = io.StringIO()
    call_command("restore", str(archive), force=True, stdout=out)

    restored = database_fingerprint()
    assert {t: v for t, v in restored.items() if t != "core_auditentry"} == {
        t: v for t, v in rows.items() if t != "core_auditentry"
    }
    assert media_files(district) == files
    after = audit_log()
    # Every entry of the original, in order and unchanged, then the restore itself.
    assert after[:-1] == log
    last = AuditEntry.objects.order_by("id").last()
    assert last.action == "system.restore"
    assert last.detail["archive"] == archive.name
    assert last.detail["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert "已从" in out.getvalue()


def test_the_archive_has_a_manifest_with_versions_and_checksums_and_only_its_owner_reads_it(
    site, tmp_path
):
    archive = backup(tmp_path)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        members = {m["name"]: m for m in manifest["members"]}
        for name, entry in members.items():
            data = tar.extractfile(name).read()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data) == entry["size"]
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["server"]
    assert manifest["versions"]["django"].startswith("5.2")
    assert ["core", "0001_initial"] in manifest["migrations"]
    assert "media/wishes/书包.png" in members
    assert manifest["media_files"] == 2 == len(members) - 1
    made = AuditEntry.objects.order_by("id").last()
    assert made.action == "system.backup"
    assert made.detail["archive"] == archive.name


def test_restore_refuses_to_overwrite_a_database_with_data_without_force(site, tmp_path):
    archive = backup(tmp_path)
    UserFactory(username="after-backup")
    (site / "stray.txt").write_text("kept")
    rows, files = database_fingerprint(), media_files(site)

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))

    assert database_fingerprint() == rows
    assert media_files(site) == files


def test_restore_refuses_an_archive_whose_checksums_do_not_match(site, tmp_path):
    archive = backup(tmp_path)
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "media/wishes/书包.png":
                data = data.replace(b"wish", b"fake")
            target.addfile(info, io.BytesIO(data))
    UserFactory(username="after-backup")
    rows, files = database_fingerprint(), media_files(site)

    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(tampered), force=True)

    assert database_fingerprint() == rows
    assert media_files(site) == files


def test_restore_refuses_an_archive_made_under_another_field_key(site, tmp_path, settings):
    archive = backup(tmp_path)
    rows = database_fingerprint()
    settings.FIELD_KEY = "another key altogether"
    with pytest.raises(CommandError, match="JICENG_FIELD_KEY"):
        call_command("restore", str(archive), force=True)
    assert database_fingerprint() == rows


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not an archive at all")
    with pytest.raises(CommandError, match="不是 jiceng 的备份文件"):
        call_command("restore", str(junk))


def test_the_refusals_read_in_english_for_an_english_speaker(db, tmp_path):
    from django.utils import translation

    from jiceng.core.backup import BackupError
    from jiceng.core.restore import restore_backup

    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not an archive at all")
    with translation.override("en"), pytest.raises(BackupError, match="not a jiceng backup"):
        restore_backup(archive=junk)
    with translation.override("en"), pytest.raises(BackupError, match="Backup file not found"):
        restore_backup(archive=tmp_path / "missing.tar")


def with_database(archive: Path, target: Path, change) -> Path:
    """A copy of archive whose database member is change(bytes), the manifest made to match."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        manifest = json.load(source.extractfile("manifest.json"))
        db_member = manifest["database"]["member"]
        new = change(source.extractfile(db_member).read())
        for entry in manifest["members"]:
            if entry["name"] == db_member:
                entry.update(sha256=hashlib.sha256(new).hexdigest(), size=len(new))
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "manifest.json":
                data = json.dumps(manifest).encode()
            elif info.name == db_member:
                data = new
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def test_an_archive_whose_database_cannot_be_loaded_changes_nothing(site, tmp_path):
    """The checksums match (the archive was made so) but the dump itself is broken."""
    archive = backup(tmp_path)
    broken = with_database(archive, tmp_path / "b.tar", lambda _: b"not a database dump " * 100)
    UserFactory(username="after-backup")
    (site / "stray.txt").write_text("kept")
    rows, files = database_fingerprint(), media_files(site)

    with pytest.raises(CommandError, match="未做任何更改|pg_restore"):
        call_command("restore", str(broken), force=True)

    connection.close()
    assert database_fingerprint() == rows
    assert media_files(site) == files


@pytest.mark.postgres
def test_a_dump_that_breaks_off_while_loading_changes_nothing(site, tmp_path):
    """pg_restore reads the table of contents, then fails in the data: the drop is rolled back."""
    archive = backup(tmp_path)
    broken = with_database(archive, tmp_path / "cut.tar", lambda dump: dump[: len(dump) * 2 // 3])
    UserFactory(username="after-backup")
    rows = database_fingerprint()

    with pytest.raises(CommandError, match="pg_restore"):
        call_command("restore", str(broken), force=True)

    connection.close()
    assert database_fingerprint() == rows

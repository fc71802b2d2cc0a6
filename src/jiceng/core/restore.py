"""Restore of a backup archive (see ``jiceng.core.backup`` for what it holds): every checksum,
the keys and the migrations are checked before anything is touched; a database that holds data
is overwritten only when told to; an audit entry is left in the restored database."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.backup import (
    CHUNK,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    _check_pg_tool,
    _os_user,
    _pg_env,
    _server_version,
    _tool_major,
    _vendor,
    holds_data,
    key_fingerprint,
    sha256_of,
)
from jiceng.core.renames import carry_over_renamed_apps, current_label


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    files: int


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        raw = tar.extractfile(MANIFEST)
    except KeyError:
        raw = None
    if raw is None:
        raise BackupError(_("这不是 jiceng 的备份文件：缺少 manifest.json。"))
    try:
        manifest = json.loads(raw.read().decode())
    except ValueError as exc:
        raise BackupError(_("备份文件的 manifest.json 无法读取。")) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("备份文件格式 {found} 不受支持（本版本读取格式 {ours}）。").format(
                found=manifest.get("format"), ours=FORMAT
            )
        )
    return manifest


def _extract_verified(tar: tarfile.TarFile, manifest: dict[str, Any], staging: Path) -> None:
    """Extract every member the manifest lists into staging, checking size and SHA-256."""
    listed = {m["name"]: m for m in manifest["members"]}
    present = {m.name for m in tar.getmembers() if m.isfile()} - {MANIFEST}
    if present != set(listed):
        raise BackupError(_("备份文件的内容与清单不符（缺少或多出文件），未做任何更改。"))
    for info in tar.getmembers():
        if info.name == MANIFEST or not info.isfile():
            continue
        if not _safe_member_name(info.name):
            raise BackupError(_("备份文件含有不安全的路径：{name}").format(name=info.name))
        expected = listed[info.name]
        target = staging / info.name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        source = tar.extractfile(info)
        assert source is not None
        with target.open("wb") as out:
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected["sha256"] or info.size != expected["size"]:
            raise BackupError(
                _("校验和不符：{name} 已损坏或被改动，未做任何更改。").format(name=info.name)
            )


def _check_keys(manifest: dict[str, Any]) -> None:
    keys = manifest.get("keys", {})
    field_keys = [settings.FIELD_KEY, *settings.FIELD_KEY_FALLBACKS]
    hash_keys = [settings.HASH_KEY, *settings.HASH_KEY_FALLBACKS]
    if keys.get("field") not in {key_fingerprint(k) for k in field_keys}:
        raise BackupError(
            _(
                "备份时使用的个人信息加密密钥与当前的 JICENG_FIELD_KEY（及其备用密钥）都不同："
                "恢复后将无法解密身份证号和手机号。请先设置备份时的密钥。"
            )
        )
    if keys.get("hash") not in {key_fingerprint(k) for k in hash_keys}:
        raise BackupError(
            _(
                "备份时使用的查找哈希密钥与当前的 JICENG_HASH_KEY（及其备用密钥）都不同："
                "恢复后将无法按号码查找人员。请先设置备份时的密钥。"
            )
        )


def _check_migrations(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, name in manifest["migrations"]
        if (current_label(app), name) not in known
    ]
    if unknown:
        raise BackupError(
            _("备份来自更新的版本（本版本没有迁移 {names}），请先升级 jiceng 再恢复。").format(
                names=", ".join(unknown[:5])
            )
        )


def _restore_sqlite(db_file: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(db_file)
    try:
        # Refuse a file that is not a database before copying anything over the live one.
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        # The backup API in reverse: pages of the archived copy replace the live database's,
        # under its lock, whatever file (or in-memory database) the connection points at.
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("备份中的数据库无法读取（{error}），未做任何更改。").format(error=exc)
        ) from exc
    finally:
        source.close()


def _restore_postgres(db_file: Path) -> None:
    """Drop the schema and load the dump in one transaction that commits only when the whole
    dump was read: any failure leaves the database as it was. pg_restore turns the
    custom-format dump into SQL; psql runs it after the drop."""
    server_major, _text = _server_version()
    _check_pg_tool("pg_restore", server_major)
    _tool_major("psql")
    env = _pg_env()
    listing = subprocess.run(
        ["pg_restore", "--list", str(db_file)], env=env, capture_output=True, text=True
    )
    if listing.returncode != 0:
        raise BackupError(
            _("备份中的数据库无法读取（{error}），未做任何更改。").format(
                error=listing.stderr.strip()
            )
        )
    connection.close()  # our own connection must not hold a lock the drop waits for
    with (
        tempfile.TemporaryFile() as dump_errors,
        tempfile.TemporaryFile() as load_errors,
        subprocess.Popen(
            ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(db_file)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=dump_errors,
        ) as dump,
        subprocess.Popen(
            [
                "psql",
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={connection.settings_dict['NAME']}",
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=load_errors,
        ) as load,
    ):
        assert dump.stdout is not None and load.stdin is not None
        try:
            # Start from an empty schema, so that no table of the current database survives.
            load.stdin.write(b"BEGIN;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n")
            shutil.copyfileobj(dump.stdout, load.stdin, CHUNK)
            if dump.wait() == 0:
                load.stdin.write(b"COMMIT;\n")
            # Otherwise psql reaches the end of its input inside the transaction: rolled back.
            load.stdin.close()
        except BrokenPipeError:  # psql stopped at an error; its transaction is rolled back
            with contextlib.suppress(BrokenPipeError):
                load.stdin.close()
        dump.stdout.close()
        dump.wait()
        load.wait()
        dump_errors.seek(0)
        load_errors.seek(0)
        error = (dump_errors.read() + load_errors.read()).decode(errors="replace").strip()
    if dump.returncode != 0 or load.returncode != 0 or "ERROR" in error:
        raise BackupError(_("pg_restore 失败：{error}").format(error=error))


def restore_backup(
    *, archive: Path, force: bool = False, log: Callable[[str], None] = lambda _m: None
) -> RestoreResult:
    """Check the archive, then replace the database and MEDIA_ROOT with its contents."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("找不到备份文件：{path}").format(path=archive))
    if not tarfile.is_tarfile(archive):
        raise BackupError(_("这不是 jiceng 的备份文件：{path}").format(path=archive))
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with (
        tarfile.open(archive, "r:") as tar,
        tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as tmp,
    ):
        manifest = read_manifest(tar)
        vendor = manifest["database"]["vendor"]
        if vendor != _vendor():
            raise BackupError(
                _("备份来自 {found} 数据库，当前数据库是 {ours}。").format(
                    found=vendor, ours=_vendor()
                )
            )
        _check_keys(manifest)
        _check_migrations(manifest)
        if holds_data() and not force:
            raise BackupError(_("当前数据库已有数据，恢复会覆盖它。确认要覆盖时请加 --force。"))
        staging = Path(tmp)
        _extract_verified(tar, manifest, staging)
        log(_("校验和全部相符（{n} 个文件）").format(n=len(manifest["members"])))
        db_file = staging / manifest["database"]["member"]
        if vendor == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgres(db_file)
        # An archive from before an app was renamed comes back under the new name.
        carry_over_renamed_apps(connection)
        new_media = staging / MEDIA_PREFIX.rstrip("/")
        new_media.mkdir(exist_ok=True)
        old_media = staging / "media.replaced"
        if media_root.exists():
            media_root.rename(old_media)
        new_media.rename(media_root)
    with transaction.atomic():
        audit(
            actor=None,
            action="system.restore",
            detail={
                "archive": archive.name,
                "sha256": sha256_of(archive),
                "created_at": manifest["created_at"],
                "files": manifest["media_files"],
                "force": force,
                "os_user": _os_user(),
            },
        )
    log(
        _("已从 {path} 恢复数据库和 {files} 个上传文件。").format(
            path=archive, files=manifest["media_files"]
        )
    )
    return RestoreResult(manifest=manifest, files=manifest["media_files"])

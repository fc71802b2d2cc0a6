"""Backup and restore of the database and the uploaded files, as one archive with a manifest.

``jiceng backup`` writes ``jiceng-backup-<time>.tar``: ``manifest.json`` (what, when, versions,
migrations, SHA-256 and size of every member), the database (SQLite through sqlite3's online
backup API, consistent while the server writes; PostgreSQL through ``pg_dump --format=custom``)
and every file under MEDIA_ROOT. ``jiceng restore`` checks every checksum, the keys and the
migrations before it touches anything, refuses to overwrite a database that holds data unless
told to, and leaves an audit entry in the restored database (that half is ``jiceng.core.restore``).

The archive holds personal data (encrypted ID and phone numbers, photos) but not the keys that
decrypt them: keep JICENG_FIELD_KEY and JICENG_HASH_KEY apart from the archives (README "Backup").
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import hmac
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.errors import UserError

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(UserError):
    """A backup or restore that cannot go on; nothing has been changed."""


# --- helpers ------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def key_fingerprint(key: str) -> str:
    """A short keyed digest that tells whether two keys are the same without showing either."""
    return hmac.new(key.encode(), b"jiceng backup key check", hashlib.sha256).hexdigest()[:16]


def _vendor() -> str:
    return connection.vendor


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if s.get(key):
            env[var] = str(s[key])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return env


def _tool_major(tool: str) -> tuple[int, str]:
    """The major version of a PostgreSQL client tool (``pg_dump (PostgreSQL) 15.20`` → 15)."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            _("找不到 {tool}：请安装与数据库服务器同版本的 PostgreSQL 客户端。").format(tool=tool)
        )
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    if not match:
        raise BackupError(_("无法识别 {tool} 的版本：{out}").format(tool=tool, out=out.strip()))
    return int(match.group(1)), out.strip()


def _server_version() -> tuple[int, str]:
    connection.ensure_connection()
    if _vendor() == "postgresql":
        number = connection.pg_version  # e.g. 150020
        return number // 10000, f"PostgreSQL {number // 10000}.{number % 10000}"
    return 0, f"SQLite {sqlite3.sqlite_version}"


def _check_pg_tool(tool: str, server_major: int) -> str:
    major, text = _tool_major(tool)
    if major < server_major:
        raise BackupError(
            _(
                "{tool} 的版本（{major}）低于数据库服务器（{server}），请安装同版本的客户端。"
            ).format(tool=tool, major=major, server=server_major)
        )
    return text


def _applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _media_files(root: Path) -> list[tuple[Path, str]]:
    """Every regular file under MEDIA_ROOT with its archive name (symlinks are not followed)."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                rel = path.relative_to(root).as_posix()
                found.append((path, MEDIA_PREFIX + rel))
    return sorted(found, key=lambda item: item[1])


def holds_data() -> bool:
    """Whether the database has anything a person made: an account, a place or an audit entry.

    A freshly migrated database has only what migrations load (categories, rules) and none of
    these; a restore may write over it without being told to.
    """
    tables = set(connection.introspection.table_names())
    if "django_migrations" not in tables:
        return False
    with connection.cursor() as cursor:
        for table in ("accounts_user", "geo_division", "core_auditentry"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


# --- backup -----------------------------------------------------------------------------------


def _dump_database(workdir: Path) -> tuple[str, Path, dict[str, str]]:
    """Dump the database into workdir; the member name, the file and the versions used."""
    server_major, server_text = _server_version()
    versions = {"server": server_text}
    if _vendor() == "sqlite":
        target = workdir / SQLITE_MEMBER
        destination = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while other connections write.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return SQLITE_MEMBER, target, versions
    if _vendor() == "postgresql":
        versions["pg_dump"] = _check_pg_tool("pg_dump", server_major)
        target = workdir / PG_MEMBER
        run = subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                connection.settings_dict["NAME"],
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(_("pg_dump 失败：{error}").format(error=run.stderr.strip()))
        return PG_MEMBER, target, versions
    raise BackupError(_("不支持的数据库：{vendor}").format(vendor=_vendor()))


class _HashingReader:
    """Reads a file for tarfile and hashes what it read."""

    def __init__(self, f: Any):
        self.f, self.digest = f, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.f.read(size)
        self.digest.update(block)
        return block


def _add_hashed(tar: tarfile.TarFile, path: Path, arcname: str) -> dict[str, Any]:
    with path.open("rb") as f:
        stat = os.fstat(f.fileno())
        info = tarfile.TarInfo(arcname)
        info.size, info.mtime = stat.st_size, int(stat.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return {"name": arcname, "sha256": reader.digest.hexdigest(), "size": info.size}


def make_backup(*, output_dir: Path, log: Callable[[str], None] = lambda _m: None) -> Path:
    """Write one archive of the database and MEDIA_ROOT into output_dir; return its path."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    name = f"jiceng-backup-{now:%Y%m%d-%H%M%S}.tar"
    final = output_dir / name
    if final.exists():
        raise BackupError(_("备份文件已存在：{path}").format(path=final))
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as tmp:
        workdir = Path(tmp)
        member, db_file, versions = _dump_database(workdir)
        log(_("数据库已导出（{size} 字节）").format(size=db_file.stat().st_size))
        partial = workdir / (name + ".part")
        with tarfile.open(partial, "w") as tar:
            members = [_add_hashed(tar, db_file, member)]
            # Each file is read once, hashed as it goes into the archive: an upload that lands
            # meanwhile is in the next backup, one deleted meanwhile is left out.
            for path, arcname in _media_files(media_root):
                with contextlib.suppress(FileNotFoundError):
                    members.append(_add_hashed(tar, path, arcname))
            files = len(members) - 1
            manifest = {
                "format": FORMAT,
                "what": "jiceng database and uploaded files",
                "created_at": now.isoformat(),
                "database": {"vendor": _vendor(), "member": member, **versions},
                "versions": {
                    "jiceng": _package_version(),
                    "django": django.get_version(),
                    "python": platform.python_version(),
                },
                "migrations": _applied_migrations(),
                "keys": {
                    "field": key_fingerprint(settings.FIELD_KEY),
                    "hash": key_fingerprint(settings.HASH_KEY),
                },
                "media_files": files,
                "members": members,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)  # personal data: readable by the owner only
        partial.rename(final)
    digest = sha256_of(final)
    with transaction.atomic():
        audit(
            actor=None,
            action="system.backup",
            detail={
                "archive": name,
                "sha256": digest,
                "files": files,
                "os_user": _os_user(),
            },
        )
    log(_("已写入 {path}：数据库和 {files} 个上传文件").format(path=final, files=files))
    return final


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jiceng")
    except PackageNotFoundError:
        return "unknown"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (containers)
        return str(os.getuid())

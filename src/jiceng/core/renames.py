"""Apps renamed in the code keep their data: the tables, the migration history and the content
types of an older database are carried over to the new name before ``migrate`` reads the history.

Django has no operation for renaming an app: its migration history (``django_migrations``) and
content types are keyed by the app's label, and ``migrate`` would take the renamed app for a new
one and try to create its tables again. ``jiceng migrate`` (core's ``migrate`` command) and
``jiceng restore`` call ``carry_over_renamed_apps`` first; on a database that never knew the old
name it does nothing.

Audit entries keep the object type they were written with (the log is append-only):
``OLD_LABELS`` lets the audit page find both spellings.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

# old label -> new label, in the order the renames happened.
RENAMED_APPS: dict[str, str] = {
    "services": "community",  # session 6: "services.services.signup" read badly (#11)
}


def current_label(label: str) -> str:
    """The label an app has now, given the one an older database or archive names."""
    while label in RENAMED_APPS:
        label = RENAMED_APPS[label]
    return label


def old_labels(label: str) -> list[str]:
    """Every label ``label`` was known by before (for reading append-only records)."""
    return [old for old, new in RENAMED_APPS.items() if current_label(new) == label]


def carry_over_renamed_apps(
    connection, renames: dict[str, str] | None = None
) -> list[tuple[str, str, int]]:
    """Rename, in one transaction, the tables, migration rows and content types of every app the
    code has renamed since this database was migrated (``renames``: old label -> new, by default
    ``RENAMED_APPS``). Returns ``(old, new, tables)`` per app carried over."""
    tables = set(connection.introspection.table_names())
    if "django_migrations" not in tables:
        return []
    quote = connection.ops.quote_name
    done: list[tuple[str, str, int]] = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for old, new in (RENAMED_APPS if renames is None else renames).items():
            cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = %s", [old])
            if not cursor.fetchone()[0]:
                continue
            cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = %s", [new])
            if cursor.fetchone()[0]:
                raise CommandError(
                    _(
                        "数据库同时记录了应用 {old} 和 {new} 的迁移，无法自动改名，请联系开发者。"
                    ).format(old=old, new=new)
                )
            moved = sorted(t for t in tables if t.startswith(f"{old}_"))
            for table in moved:
                renamed = f"{new}_{table[len(old) + 1 :]}"
                cursor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(renamed)}")
            cursor.execute("UPDATE django_migrations SET app = %s WHERE app = %s", [new, old])
            if "django_content_type" in tables:
                cursor.execute(
                    "UPDATE django_content_type SET app_label = %s WHERE app_label = %s", [new, old]
                )
            done.append((old, new, len(moved)))
    return done

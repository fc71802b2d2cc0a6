"""Re-encrypt every encrypted field under the current key, while the site runs.

Procedure (README "Key rotation"): put the new key in JICENG_FIELD_KEY and the old one in
JICENG_FIELD_KEY_FALLBACKS (likewise JICENG_HASH_KEY / _FALLBACKS), restart the processes one
by one (they read both keys, write with the new one), run ``jiceng rotate_field_key``, and when it
reports nothing left under an old key, drop the fallbacks.

Rows are rewritten in small batches, each in its own short transaction holding row locks
(SELECT ... FOR UPDATE), so that a person edited at the same moment is never overwritten with a
stale value and no row is skipped or lost; readers are never blocked.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connection, transaction

from jiceng.core.fields import encrypted_fields, primary_fernet, refresh_hashes


def models_with_encrypted_fields() -> list[type]:
    return [m for m in apps.get_models() if encrypted_fields(m)]


def rotate_field_keys(*, batch: int = 1000, log: Callable[[str], None] = print) -> dict[str, int]:
    """Re-encrypt and re-hash every row of every model with encrypted fields; counts per model."""
    done: dict[str, int] = {}
    for model in models_with_encrypted_fields():
        fields = encrypted_fields(model)
        names = [f.name for f in fields] + [f.hash_field for f in fields if f.hash_field]
        manager = model._base_manager
        last = None
        count = 0
        while True:
            with transaction.atomic():
                rows = manager.order_by("pk")
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                rows = list(rows.select_for_update().only("pk", *names)[:batch])
                if not rows:
                    break
                for row in rows:
                    refresh_hashes(row)
                manager.bulk_update(rows, names)
            last = rows[-1].pk
            count += len(rows)
        done[model._meta.label] = count
        log(f"{model._meta.label}: {count}")
    return done


def rows_under_old_keys() -> dict[str, int]:
    """How many stored values the current key alone cannot read (0 everywhere: rotation done)."""
    current = primary_fernet()
    left: dict[str, int] = {}
    quote = connection.ops.quote_name
    for model in models_with_encrypted_fields():
        columns = ", ".join(quote(f.column) for f in encrypted_fields(model))
        n = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)}")  # noqa: S608
            for values in cursor.fetchall():
                for token in values:
                    if not token:
                        continue
                    try:
                        current.decrypt(token.encode("ascii"))
                    except InvalidToken:
                        n += 1
        left[model._meta.label] = n
    return left

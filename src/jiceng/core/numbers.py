"""Human-readable numbers (case numbers) from named counters, safe under concurrency."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from jiceng.core.models import Counter


def next_value(key: str) -> int:
    """The next value of the counter ``key`` (1 for a new key), inside the caller's transaction.

    On PostgreSQL every key shares one sequence: values stay unique and increasing but do not
    restart per key, and no transaction waits for another's lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('core_number_seq')")
            return cursor.fetchone()[0]
    with transaction.atomic():
        updated = Counter.objects.filter(key=key).update(value=F("value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=1)
                    return 1
            except IntegrityError:  # another request created it first
                Counter.objects.filter(key=key).update(value=F("value") + 1)
        return Counter.objects.values_list("value", flat=True).get(key=key)

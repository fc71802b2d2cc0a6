"""Two spendings at the same moment never overdraw the allocation (PostgreSQL: real
concurrency; the lock is taken before the sum)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from jiceng.projects.fund_selectors import allocation_balance
from jiceng.projects.models import Spending
from tests.projects_funds.conftest import pdf, spend


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_spendings_at_the_same_moment_never_overdraw(cast):
    # 50,000 allocated; eight people each record 10,000 at once: five fit, three are refused
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def act():
        try:
            barrier.wait()
            spend(cast, "10000.00", voucher=pdf())
            result = "ok"
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            result = str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 5, outcomes
    assert all("超出项目资金余额" in o for o in outcomes if o != "ok"), outcomes
    assert Spending.objects.count() == 5
    assert allocation_balance(cast["allocation"]).available == Decimal("0.00")

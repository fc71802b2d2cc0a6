"""The login lockout: the pair (username, address) after a few failures, the address after many.

Keyed on the username alone, five wrong passwords from anywhere would lock the rightful person
out (an administrator included); keyed on the pair, the attacker is locked and the owner still
gets in from their own address. An address that tries many usernames is locked as a whole at a
higher count, so that guessing across accounts is slowed down too. django-axes keeps the
attempts; this handler only adds the count by address.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class PairAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return failures
        by_address = (
            AccessAttempt.objects.filter(
                ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

"""What every community-services record shares: its community (``scope_code`` its 12-digit code)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel

USER = settings.AUTH_USER_MODEL


class Scoped(TimeStampedModel, ScopedModel):
    community = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "community"

    class Meta:
        abstract = True

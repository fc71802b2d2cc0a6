"""Assessment's tasks: scoring a round in the worker (the page's button may queue it)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from jiceng.assessment import scoring
from jiceng.assessment.models import Round


@db_task(retries=1, retry_delay=60)
def score_round_task(round_id: int) -> int:
    return scoring.score_round(rnd=Round.objects.get(pk=round_id))

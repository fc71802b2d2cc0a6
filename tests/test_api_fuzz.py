"""Fuzzing the whole JSON API from its OpenAPI schema (schemathesis), as four identities:
anonymous, a resident, a community secretary and the district's staff, over a small demo
district. Valid and invalid input alike must never make the server fail (0 answers of 5xx), and
every success must match the schema the API documents.

Bounded so that it stays within a few minutes on a small machine: a fixed number of examples per
operation, identity and mode (``JICENG_FUZZ_EXAMPLES``, default 8), derandomized (the same
requests every run), and a time budget (``JICENG_FUZZ_BUDGET`` seconds, default 240) after which
the remaining operations get one example each, so that every operation is still called.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("JICENG_FUZZ_EXAMPLES", "8"))
BUDGET = float(os.environ.get("JICENG_FUZZ_BUDGET", "240"))
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # a 32-character CSRF secret, sent as cookie and header
IDENTITIES = ("anonymous", "resident", "secretary", "district")


def _identity(username: str | None) -> dict[str, dict[str, str]]:
    """The cookies (session, CSRF) and header (CSRF) of a logged-in browser of ``username``."""
    cookies = {"csrftoken": CSRF}
    if username:
        from jiceng.accounts.models import User

        client = Client()
        client.force_login(User.objects.get(username=username))
        cookies["sessionid"] = client.cookies["sessionid"].value
    return {"cookies": cookies, "headers": {"X-CSRFToken": CSRF}}


def _known_path_values() -> dict[str, object]:
    """Real objects of the demo, so that some requests reach past the lookup into the handlers
    (the generated ids of the other examples mostly name nothing)."""
    from jiceng.assessment.models import Appraisal, Checklist, EvaluationRound, Result, Round
    from jiceng.cases.models import Case
    from jiceng.community.models import Activity, ServiceOrder
    from jiceng.dashboard.models import Warning
    from jiceng.deliberation.models import Issue, Matter, Meeting, Poll
    from jiceng.geo.models import Division
    from jiceng.projects.models import FundLine, Project, Spending
    from jiceng.registry.models import Building, Compound, ImportJob, Person
    from jiceng.reports.models import Generation
    from jiceng.venues.models import Booking, Venue

    def first(model):
        row = model.objects.order_by("pk").first()
        return row.pk if row else 1

    community = Division.objects.filter(level="community").order_by("code").first()
    case = Case.objects.filter(scope_code__startswith=community.code).order_by("pk").first()
    return {
        "code": community.code,
        "number": case.number if case else "B00000000001",
        "action": "accept",
        "venue_id": first(Venue),
        "booking_id": first(Booking),
        "warning_id": first(Warning),
        "poll_id": first(Poll),
        "meeting_id": first(Meeting),
        "issue_id": first(Issue),
        "matter_id": first(Matter),
        "project_id": first(Project),
        "line_id": first(FundLine),
        "spending_id": first(Spending),
        "year": timezone.localdate().year,
        "fmt": "xlsx",
        "/api/assessment/rounds/": first(Round),
        "/api/assessment/results/": first(Result),
        "/api/assessment/appraisals/": first(Appraisal),
        "/api/assessment/evaluations/": first(EvaluationRound),
        "/api/assessment/checklists/": first(Checklist),
        "/api/reports/generations/": first(Generation),
        "/api/registry/people/": first(Person),
        "/api/registry/compounds/": first(Compound),
        "/api/registry/buildings/": first(Building),
        "/api/registry/imports/": first(ImportJob),
        "/api/services/activities/": first(Activity),
        "/api/services/orders/": first(ServiceOrder),
    }


def _fixed_path(operation, known: dict[str, object]) -> dict[str, object] | None:
    names = [p.name for p in operation.path_parameters]
    if not names:
        return None
    fixed = {}
    for name in names:
        if name == "pk":
            prefix = next(k for k in known if k.startswith("/") and operation.path.startswith(k))
            fixed[name] = known[prefix]
        else:
            fixed[name] = known[name]
    return fixed


def _run(strategy, n, identity, sends, statuses, failures, mismatches) -> None:
    """``n`` requests from ``strategy`` as ``identity``; 5xx answers noted in ``failures``, a
    success whose body does not match the schema in ``mismatches``."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case):
        try:
            response = case.call(**sends)
        except Exception as exc:  # the application raised: a 500 behind a real server
            statuses[500] += 1
            failures.append(f"{identity}: {exc!r} {case.as_curl_command()}")
            return
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(
                f"{identity}: {response.status_code} {case.as_curl_command()}\n"
                f"    {response.text[:300]}"
            )
        elif response.status_code < 300:
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                mismatches.append(f"{identity}: {case.as_curl_command()}\n    {exc}"[:600])

    call()


def test_the_whole_api_answers_every_identity_without_a_server_error(settings):
    import schemathesis
    from schemathesis import GenerationMode

    from tests.demo_snapshot import demo_logins

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    demo_logins(residents=60)  # built once per session (tests/demo_snapshot.py)
    known = _known_path_values()
    identities = {
        "anonymous": _identity(None),
        "resident": _identity("resident"),
        "secretary": _identity("secretary"),
        "district": _identity("district"),
    }

    # A real WSGI server closes the database connection after each request; inside the test's
    # transaction it must stay open (Django's own test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        statuses: Counter[int] = Counter()
        failures: list[str] = []
        mismatches: list[str] = []
        started = time.monotonic()

        for operation in operations:
            examples = EXAMPLES if time.monotonic() - started < BUDGET else 1
            fixed = _fixed_path(operation, known)
            for identity, sends in identities.items():
                # anonymous answers 401 before reading any input: a few examples suffice
                n = max(1, examples // 4) if identity == "anonymous" else examples
                strategies = [
                    operation.as_strategy(generation_mode=mode)
                    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                ]
                if fixed:
                    strategies.append(
                        operation.as_strategy(
                            generation_mode=GenerationMode.POSITIVE, path_parameters=fixed
                        )
                    )
                for strategy in strategies:
                    _run(strategy, n, identity, sends, statuses, failures, mismatches)
        elapsed = time.monotonic() - started
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    total = sum(statuses.values())
    print(
        f"\nfuzzed {len(operations)} operations as {len(identities)} identities: "
        f"{total} requests in {elapsed:.0f} s; statuses {dict(sorted(statuses.items()))}"
    )
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:20])
    assert not mismatches, f"{len(mismatches)} answers unlike the schema:\n" + "\n".join(
        mismatches[:20]
    )
    assert len(operations) >= 50 and total >= len(operations) * len(identities) * 2

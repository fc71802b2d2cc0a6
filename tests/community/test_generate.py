"""City-scale activities for the benchmarks: counters consistent with the sign-ups."""

from __future__ import annotations

from django.db.models import Count

from jiceng.community.generate import generate_activities
from jiceng.community.models import Activity, Signup
from tests.factories import user_with_role


def test_generated_activities_keep_taken_equal_to_their_signups(cast):
    for _ in range(5):
        user_with_role("resident", division=cast["places"]["grid1"])
    result = generate_activities(district="360602", count=50, seed=3, log=lambda *_: None)
    assert result["activities"] == Activity.objects.count() == 50
    assert Signup.objects.count() == result["signups"] > 0
    counts = dict(Activity.objects.annotate(n=Count("signups")).values_list("id", "n"))
    assert all(a.taken == counts[a.pk] <= a.capacity for a in Activity.objects.all())
    # residents only sign up in their own community
    from jiceng.accounts.models import RoleAssignment

    homes = dict(
        RoleAssignment.objects.filter(role="resident").values_list("user_id", "scope_code")
    )
    for user_id, code in Signup.objects.values_list("user_id", "activity__scope_code"):
        assert homes[user_id].startswith(code)

"""The three lists: needs with the monthly review, offers, projects; volunteer teams."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from jiceng.community import services
from jiceng.community.models import Need, Offer, Project, TeamMember, VolunteerTeam
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import Notification


def snapshot():
    return (
        list(Need.objects.values_list("id", "status", "reason", "merged_into")),
        Offer.objects.count(),
        Project.objects.count(),
        list(TeamMember.objects.values_list("id", "is_leader", "left_on")),
    )


def test_a_resident_posts_a_need_from_the_phone_into_their_community(cast):
    need = services.need_post(by=cast["resident"], title="楼道灯不亮", description="3栋2单元")
    assert need.scope_code == cast["community"].code
    assert (need.source, need.status, need.posted_by) == ("online", "pending", cast["resident"])


def test_a_resident_cannot_post_into_another_community(cast):
    with pytest.raises(Forbidden):
        services.need_post(by=cast["resident"], title="x", community=cast["neighbour"])
    assert not Need.objects.exists()


def test_staff_enter_needs_collected_on_visits(cast):
    need = services.need_post(
        by=cast["worker"], title="独居老人助餐", source="visit", community=cast["community"]
    )
    assert need.source == "visit"


def test_an_empty_need_is_refused(cast):
    with pytest.raises(UserError, match="需求"):
        services.need_post(by=cast["resident"], title="  ")
    assert not Need.objects.exists()


def test_review_accepts_merges_and_declines_with_the_reason_shown_to_the_resident(cast):
    a = services.need_post(by=cast["resident"], title="助餐")
    b = services.need_post(by=cast["resident2"], title="老人吃饭难")
    c = services.need_post(by=cast["resident2"], title="装电梯")
    services.need_accept(by=cast["secretary"], need=a)
    services.need_merge(by=cast["secretary"], need=b, into=a)
    services.need_decline(by=cast["secretary"], need=c, reason="加装电梯需业主表决，请走议事程序")
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.status, b.merged_into_id) == ("merged", a.pk)
    assert c.status == "declined" and "议事" in c.reason
    titles = list(Notification.objects.filter(user=cast["resident2"]).values_list("title", "body"))
    assert any("未列入" in t and "议事" in body for t, body in titles)


def test_a_review_in_english_still_tells_the_resident_in_chinese(cast):
    from django.utils import translation

    need = services.need_post(by=cast["resident"], title="助餐")
    with translation.override("en"):  # the secretary reads the console in English
        services.need_decline(by=cast["secretary"], need=need, reason="请走议事程序")
    title = Notification.objects.get(user=cast["resident"]).title
    assert title == "您的需求“助餐”：未列入"


def test_declining_without_a_reason_is_refused(cast):
    need = services.need_post(by=cast["resident"], title="x")
    before = snapshot()
    with pytest.raises(UserError, match="理由"):
        services.need_decline(by=cast["secretary"], need=need, reason=" ")
    assert snapshot() == before


def test_a_need_is_reviewed_once(cast):
    need = services.need_post(by=cast["resident"], title="x")
    services.need_accept(by=cast["secretary"], need=need)
    before = snapshot()
    with pytest.raises(UserError, match="已审核"):
        services.need_decline(by=cast["secretary"], need=need, reason="no")
    assert snapshot() == before


def test_merge_only_into_an_accepted_need_of_the_same_community(cast):
    a = services.need_post(by=cast["resident"], title="a")
    b = services.need_post(by=cast["resident"], title="b")
    before = snapshot()
    with pytest.raises(UserError, match="已列入清单"):
        services.need_merge(by=cast["secretary"], need=b, into=a)
    assert snapshot() == before


def test_the_neighbour_secretary_cannot_review_our_needs(cast):
    need = services.need_post(by=cast["resident"], title="x")
    with pytest.raises(Forbidden):
        services.need_accept(by=cast["outsider"], need=need)
    assert Need.objects.get(pk=need.pk).status == "pending"


def test_offers_name_exactly_one_provider(cast):
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    offer = services.offer_create(
        by=cast["secretary"],
        community=cast["community"],
        title="理发",
        kind="care",
        capacity=20,
        when="每月第一个周六上午",
        where="服务中心",
        team=team,
    )
    assert offer.provider == team
    before = snapshot()
    with pytest.raises(UserError, match="提供方"):
        services.offer_create(
            by=cast["secretary"],
            community=cast["community"],
            title="理发",
            kind="care",
            capacity=20,
            when="x",
            where="y",
            team=team,
            partner=cast["partner"],
        )
    with pytest.raises(UserError, match="正整数"):
        services.offer_create(
            by=cast["secretary"],
            community=cast["community"],
            title="理发",
            kind="care",
            capacity=0,
            when="x",
            where="y",
            team=team,
        )
    assert snapshot() == before


def month_project(cast):
    need = services.need_post(by=cast["resident"], title="助餐")
    services.need_accept(by=cast["secretary"], need=need)
    offer = services.offer_create(
        by=cast["secretary"],
        community=cast["community"],
        title="送餐",
        kind="care",
        capacity=30,
        when="工作日中午",
        where="老年食堂",
        partner=cast["partner"],
    )
    return (
        services.project_create(
            by=cast["secretary"],
            community=cast["community"],
            month=timezone.localdate(),
            title="长者助餐",
            needs=[need],
            offers=[offer],
            responsible=cast["partner"],
        ),
        need,
        offer,
    )


def test_a_project_matches_accepted_needs_with_offers_and_is_published(cast):
    project, need, offer = month_project(cast)
    assert project.month == timezone.localdate().replace(day=1)
    assert project.responsible_name == "江边供电所"
    assert list(project.needs.all()) == [need] and list(project.offers.all()) == [offer]
    assert (
        services.month_publish(
            by=cast["secretary"], community=cast["community"], month=timezone.localdate()
        )
        == 1
    )
    project.refresh_from_db()
    assert project.status == "published" and project.published_at


def test_a_project_needs_accepted_needs_and_a_responsible_unit(cast):
    pending = services.need_post(by=cast["resident"], title="未审")
    offer = services.offer_create(
        by=cast["secretary"],
        community=cast["community"],
        title="送餐",
        kind="care",
        capacity=30,
        when="中午",
        where="食堂",
        partner=cast["partner"],
    )
    before = snapshot()
    with pytest.raises(UserError, match="已列入清单"):
        services.project_create(
            by=cast["secretary"],
            community=cast["community"],
            month=timezone.localdate(),
            title="x",
            needs=[pending],
            offers=[offer],
            responsible=cast["partner"],
        )
    with pytest.raises(UserError, match="责任单位"):
        services.project_create(
            by=cast["secretary"],
            community=cast["community"],
            month=timezone.localdate(),
            title="x",
            needs=[pending],
            offers=[offer],
        )
    assert snapshot() == before


def test_a_past_month_project_cannot_be_published(cast):
    project, _, _ = month_project(cast)
    Project.objects.filter(pk=project.pk).update(month=date(2020, 1, 1))
    with pytest.raises(UserError, match="过去"):
        services.project_publish(by=cast["secretary"], project=project)
    assert Project.objects.get(pk=project.pk).status == "draft"


def test_teams_have_residents_members_and_partner_staff_with_leaders(cast):
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    rows = [
        services.team_join(by=cast["secretary"], team=team, user=cast["resident"]),
        services.team_join(by=cast["secretary"], team=team, user=cast["member"].user, leader=True),
        services.team_join(by=cast["secretary"], team=team, user=cast["partner_staff"]),
    ]
    assert [r.kind for r in rows] == ["resident", "member", "partner_staff"]
    assert [r.is_leader for r in rows] == [False, True, False]
    before = snapshot()
    with pytest.raises(UserError, match="已在"):
        services.team_join(by=cast["secretary"], team=team, user=cast["resident"])
    assert snapshot() == before
    services.team_leave(by=cast["resident"], row=rows[0])
    again = services.team_join(by=cast["secretary"], team=team, user=cast["resident"])
    assert again.pk != rows[0].pk


def test_team_names_are_unique_in_a_community(cast):
    services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    with pytest.raises(UserError, match="同名"):
        services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    assert VolunteerTeam.objects.count() == 1


def test_a_colleague_in_scope_reviews_and_approves_like_the_secretary(cast):
    from jiceng.community import wishes

    need = services.need_post(by=cast["resident"], title="助餐")
    assert services.need_accept(by=cast["worker"], need=need).status == "accepted"
    wish = wishes.wish_post(by=cast["resident"], title="书包", value="80")
    assert wishes.wish_review(by=cast["worker"], wish=wish, approve=True).status == "open"


def test_the_street_manages_its_communities_and_the_neighbour_resident_posts_nothing_here(cast):
    from tests.factories import user_with_role

    street = user_with_role("street_staff", division=cast["places"]["street"])
    need = services.need_post(
        by=street, title="加装扶手", source="forum", community=cast["community"]
    )
    services.need_decline(by=street, need=need, reason="已纳入旧改计划")
    with pytest.raises(Forbidden):
        services.need_post(by=cast["neighbour_resident"], title="x", community=cast["community"])
    assert Need.objects.count() == 1

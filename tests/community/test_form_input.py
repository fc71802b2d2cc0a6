"""A refused volunteer team on the console is explained beside the form, in the user's language,
with what was typed kept, and nothing is written (CONVENTIONS.md "Form input"); a partner unit
the manager cannot see is not found."""

from __future__ import annotations

import re

import pytest

from jiceng.community.models import Need, VolunteerTeam
from jiceng.core.models import AuditEntry
from tests.factories import partner

pytestmark = pytest.mark.django_db

URL = "/console/services/teams/"


def snapshot():
    return VolunteerTeam.objects.count(), AuditEntry.objects.count()


def errors(page: str) -> str:
    found = re.findall(r'data-testid="form-errors">(.*?)</div>', page)
    assert found, "no errors shown beside the form"
    return " ".join(found)


def test_a_team_without_a_name_keeps_the_description_in_english(client, cast):
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    before = snapshot()
    code = cast["community"].code
    page = client.post(URL, {"community": code, "name": " ", "description": "每周六清扫楼道"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "name" in errors(body).lower()
    assert 'value="每周六清扫楼道"' in body and f'value="{code}" selected' in body
    assert snapshot() == before


def test_a_team_with_a_name_past_the_column_is_refused_and_kept(client, cast):
    client.force_login(cast["secretary"])
    before = snapshot()
    name = "长" * 101
    page = client.post(URL, {"community": cast["community"].code, "name": name})
    assert page.status_code == 400
    assert "名称" in errors(page.content.decode()) and f'value="{name}"' in page.content.decode()
    assert snapshot() == before


def test_a_team_of_a_partner_unit_elsewhere_is_not_found(client, cast):
    elsewhere = partner("邻区物业", "enterprise", cast["neighbour"])
    client.force_login(cast["secretary"])
    before = snapshot()
    data = {"community": cast["community"].code, "name": "电力服务队"}
    assert client.post(URL, {**data, "partner": elsewhere.pk}).status_code == 404
    assert client.post(URL, {**data, "partner": "abc"}).status_code == 404
    assert snapshot() == before
    done = client.post(URL, {**data, "partner": cast["partner"].pk})
    assert done.status_code == 302
    assert VolunteerTeam.objects.get().partner == cast["partner"]


NEEDS = "/console/services/needs/"


def needs_snapshot():
    return Need.objects.count(), AuditEntry.objects.count()


def test_a_need_without_a_title_is_explained_and_keeps_what_was_typed(client, cast):
    client.force_login(cast["secretary"])
    before = needs_snapshot()
    code = cast["community"].code
    data = {"community": code, "source": "forum", "title": " ", "description": "老楼加装电梯"}
    page = client.post(NEEDS, data)
    assert page.status_code == 400
    body = page.content.decode()
    assert errors(body)
    assert "老楼加装电梯</textarea>" in body and f'value="{code}" selected' in body
    assert 'value="forum" selected' in body
    assert needs_snapshot() == before


def test_a_need_with_a_title_past_the_column_or_an_unknown_source_is_refused(client, cast):
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    before = needs_snapshot()
    code = cast["community"].code
    title = "长" * 101
    page = client.post(NEEDS, {"community": code, "source": "visit", "title": title})
    assert page.status_code == 400
    assert f'value="{title}"' in page.content.decode() and errors(page.content.decode())
    page = client.post(NEEDS, {"community": code, "source": "rumour", "title": "助餐"})
    assert page.status_code == 400 and "valid choice" in errors(page.content.decode())
    assert needs_snapshot() == before


def test_a_good_need_is_entered(client, cast):
    client.force_login(cast["secretary"])
    data = {"community": cast["community"].code, "source": "visit", "title": "楼道灯"}
    done = client.post(NEEDS, data)
    assert done.status_code == 302
    need = Need.objects.get(title="楼道灯")
    assert need.source == "visit" and need.community == cast["community"]


def review_url(need):
    return f"/console/services/needs/{need.pk}/review/"


def test_a_decline_without_a_reason_is_explained_beside_the_need_and_writes_nothing(client, cast):
    from jiceng.community import services

    need = services.need_post(by=cast["resident"], title="助餐")
    client.force_login(cast["secretary"])
    before = needs_snapshot()
    page = client.post(review_url(need), {"decision": "decline", "reason": " "})
    assert page.status_code == 400
    body = page.content.decode()
    assert errors(body) and 'value="decline" selected' in body
    long = "理" * 501
    page = client.post(review_url(need), {"decision": "decline", "reason": long})
    assert page.status_code == 400 and f'value="{long}"' in page.content.decode()
    page = client.post(review_url(need), {"decision": "merge", "reason": "一起办"})
    assert page.status_code == 400 and 'value="一起办"' in page.content.decode()
    assert errors(page.content.decode())
    assert needs_snapshot() == before and Need.objects.get().status == "pending"
    done = client.post(review_url(need), {"decision": "decline", "reason": "不在服务范围"})
    assert done.status_code == 302 and Need.objects.get().status == "declined"


def test_a_need_merged_into_an_accepted_one_still_works(client, cast):
    from jiceng.community import services

    into = services.need_post(by=cast["resident"], title="助餐")
    need = services.need_post(by=cast["resident"], title="老人午饭")
    client.force_login(cast["secretary"])
    assert client.post(review_url(into), {"decision": "accept"}).status_code == 302
    assert client.post(review_url(need), {"decision": "merge", "into": into.pk}).status_code == 302
    assert Need.objects.get(pk=need.pk).merged_into == into


OFFERS = "/console/services/offers/"


def offers_snapshot():
    from jiceng.community.models import Offer

    return Offer.objects.count(), AuditEntry.objects.count()


def an_offer(cast, **changes):
    return {
        "community": cast["community"].code,
        "title": "送餐",
        "kind": "care",
        "capacity": "3",
        "when": "中午",
        "where": "食堂",
        "partner": cast["partner"].pk,
        **changes,
    }


def test_an_offer_with_a_bad_capacity_is_explained_and_keeps_what_was_typed(client, cast):
    client.force_login(cast["secretary"])
    before = offers_snapshot()
    page = client.post(OFFERS, an_offer(cast, capacity="三个", kind="repair"))
    assert page.status_code == 400
    body = page.content.decode()
    assert "可服务人数" in errors(body)
    assert 'value="三个"' in body and 'value="中午"' in body and 'value="食堂"' in body
    assert 'value="repair" selected' in body
    assert f'value="{cast["partner"].pk}" selected' in body
    assert offers_snapshot() == before


def test_an_offer_without_a_provider_or_a_title_is_refused_in_english(client, cast):
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    before = offers_snapshot()
    page = client.post(OFFERS, an_offer(cast, partner=""))
    assert page.status_code == 400 and errors(page.content.decode())
    assert 'value="送餐"' in page.content.decode()
    page = client.post(OFFERS, an_offer(cast, title=" ", where="长" * 101))
    assert page.status_code == 400 and errors(page.content.decode())
    assert offers_snapshot() == before


def test_a_good_offer_is_listed(client, cast):
    from jiceng.community.models import Offer

    client.force_login(cast["secretary"])
    assert client.post(OFFERS, an_offer(cast)).status_code == 302
    assert Offer.objects.get().partner == cast["partner"]


PROJECTS = "/console/services/projects/"


def projects_snapshot():
    from jiceng.community.models import Project

    return Project.objects.count(), AuditEntry.objects.count()


def need_and_offer(cast):
    from jiceng.community import services

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
    return need, offer


def test_a_project_without_a_responsible_unit_is_explained_and_keeps_what_was_chosen(client, cast):
    need, offer = need_and_offer(cast)
    client.force_login(cast["secretary"])
    before = projects_snapshot()
    data = {
        "community": cast["community"].code,
        "title": "长者助餐",
        "needs": [need.pk],
        "offers": [offer.pk],
        "description": "每周三次",
    }
    page = client.post(PROJECTS, data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "责任单位" in errors(body)
    assert 'value="长者助餐"' in body and "每周三次</textarea>" in body
    assert f'value="{need.pk}" selected' in body and f'value="{offer.pk}" selected' in body
    page = client.post(PROJECTS, {**data, "responsible": cast["partner"].pk, "offers": []})
    assert page.status_code == 400 and errors(page.content.decode())
    assert projects_snapshot() == before
    done = client.post(PROJECTS, {**data, "responsible": cast["partner"].pk})
    assert done.status_code == 302
    from jiceng.community.models import Project

    project = Project.objects.get()
    assert list(project.needs.all()) == [need] and project.responsible == cast["partner"]


def test_publishing_a_project_of_a_past_month_is_explained_beside_it(client, cast):
    from datetime import date

    from jiceng.community import services
    from jiceng.community.models import Project

    need, offer = need_and_offer(cast)
    project = services.project_create(
        by=cast["secretary"],
        community=cast["community"],
        month=date.today(),
        title="长者助餐",
        needs=[need],
        offers=[offer],
        responsible=cast["partner"],
    )
    Project.objects.filter(pk=project.pk).update(month=date(2020, 1, 1))
    client.force_login(cast["secretary"])
    before = projects_snapshot()
    page = client.post(f"/console/services/projects/{project.pk}/publish/")
    assert page.status_code == 400 and "过去" in errors(page.content.decode())
    assert projects_snapshot() == before and Project.objects.get().status == "draft"
    Project.objects.filter(pk=project.pk).update(month=date.today().replace(day=1))
    done = client.post(f"/console/services/projects/{project.pk}/publish/")
    assert done.status_code == 302 and Project.objects.get().status == "published"


def test_adding_someone_already_in_the_team_is_explained_and_keeps_what_was_typed(client, cast):
    from jiceng.community import services
    from jiceng.community.models import TeamMember

    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    services.team_join(by=cast["secretary"], team=team, user=cast["resident"])
    client.force_login(cast["secretary"])
    url = f"/console/services/teams/{team.pk}/"
    before = (TeamMember.objects.count(), AuditEntry.objects.count())
    name = cast["resident"].username
    page = client.post(url, {"username": name, "leader": "1"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "已在该服务队中" in errors(body)
    assert f'value="{name}"' in body and 'value="1" checked' in body
    page = client.post(url, {"username": "x" * 151})
    assert page.status_code == 400 and errors(page.content.decode())
    assert (TeamMember.objects.count(), AuditEntry.objects.count()) == before


def test_a_good_team_member_is_added_as_leader(client, cast):
    from jiceng.community import services
    from jiceng.community.models import TeamMember

    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    client.force_login(cast["secretary"])
    url = f"/console/services/teams/{team.pk}/"
    done = client.post(url, {"username": cast["resident"].username, "leader": "1"})
    assert done.status_code == 302
    assert TeamMember.objects.get(team=team, user=cast["resident"]).is_leader


ACTIVITIES = "/console/services/activities/"


def activities_snapshot():
    from jiceng.community.models import Activity

    return Activity.objects.count(), AuditEntry.objects.count()


def an_activity(cast, **changes):
    from datetime import timedelta

    from django.utils import timezone

    starts = timezone.localtime() + timedelta(days=2)
    return {
        "community": cast["community"].code,
        "title": "义诊",
        "place": "服务中心",
        "starts_at": f"{starts:%Y-%m-%dT%H:%M}",
        "ends_at": f"{starts + timedelta(hours=2):%Y-%m-%dT%H:%M}",
        "capacity": "20",
        "description": "量血压",
        **changes,
    }


def test_an_activity_with_a_bad_capacity_or_times_is_explained_and_keeps_what_was_typed(
    client, cast
):
    client.force_login(cast["secretary"])
    before = activities_snapshot()
    data = an_activity(cast, capacity="二十")
    page = client.post(ACTIVITIES, data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "名额" in errors(body)
    assert 'value="二十"' in body and 'value="服务中心"' in body and "量血压</textarea>" in body
    assert f'value="{data["starts_at"]}"' in body
    page = client.post(ACTIVITIES, an_activity(cast, ends_at=data["starts_at"]))
    assert page.status_code == 400 and "结束时间" in errors(page.content.decode())
    page = client.post(ACTIVITIES, an_activity(cast, starts_at="下周二"))
    assert page.status_code == 400 and 'value="下周二"' in page.content.decode()
    assert activities_snapshot() == before


def test_a_good_activity_is_published(client, cast):
    from jiceng.community.models import Activity

    client.force_login(cast["secretary"])
    done = client.post(ACTIVITIES, an_activity(cast))
    assert done.status_code == 302
    assert Activity.objects.get().capacity == 20


def test_cancelling_an_activity_without_a_reason_is_explained_and_writes_nothing(client, cast):
    from jiceng.community.models import Activity

    client.force_login(cast["secretary"])
    client.post(ACTIVITIES, an_activity(cast))
    a = Activity.objects.get()
    url = f"/console/services/activities/{a.pk}/"
    before = activities_snapshot()
    page = client.post(url, {"reason": " "})
    assert page.status_code == 400 and "取消原因" in errors(page.content.decode())
    long = "因" * 501
    page = client.post(url, {"reason": long})
    assert page.status_code == 400 and f'value="{long}"' in page.content.decode()
    assert activities_snapshot() == before and Activity.objects.get().status != "cancelled"
    done = client.post(url, {"reason": "暴雨预警"})
    assert done.status_code == 302 and Activity.objects.get().status == "cancelled"


ORDERS = "/console/services/orders/"


def orders_snapshot():
    from jiceng.community.models import ServiceOrder

    return ServiceOrder.objects.count(), AuditEntry.objects.count()


def test_an_order_with_a_time_that_is_no_time_is_explained_and_keeps_what_was_chosen(client, cast):
    from jiceng.community import services

    need, _offer = need_and_offer(cast)
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    client.force_login(cast["secretary"])
    before = orders_snapshot()
    data = {"need": need.pk, "team": team.pk, "due_at": "明天中午", "address": "3号楼"}
    page = client.post(ORDERS, data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "服务时间" in errors(body)
    assert 'value="明天中午"' in body and 'value="3号楼"' in body
    assert f'value="{need.pk}" selected' in body and f'value="{team.pk}" selected' in body
    page = client.post(ORDERS, {**data, "due_at": "", "team": ""})
    assert page.status_code == 400 and errors(page.content.decode())
    assert orders_snapshot() == before


def test_an_order_for_a_need_elsewhere_is_not_found(client, cast):
    from jiceng.community import services

    theirs = services.need_post(by=cast["neighbour_resident"], title="他们的需求")
    client.force_login(cast["secretary"])
    before = orders_snapshot()
    assert client.post(ORDERS, {"need": theirs.pk}).status_code == 404
    assert client.post(ORDERS, {"need": "abc"}).status_code == 404
    assert orders_snapshot() == before


def test_a_good_order_is_dispatched(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.community import services
    from jiceng.community.models import ServiceOrder

    need, _offer = need_and_offer(cast)
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    client.force_login(cast["secretary"])
    due = timezone.localtime() + timedelta(days=1)
    data = {"need": need.pk, "team": team.pk, "due_at": f"{due:%Y-%m-%dT%H:%M}", "address": "3号楼"}
    done = client.post(ORDERS, data)
    assert done.status_code == 302, errors(done.content.decode())
    assert ServiceOrder.objects.get().team == team


def test_declining_a_wish_without_a_reason_is_explained_beside_it_and_writes_nothing(client, cast):
    from jiceng.community import wishes

    wish = wishes.wish_post(by=cast["resident"], title="手机", value="1500")
    client.force_login(cast["secretary"])
    url = f"/console/services/wishes/{wish.pk}/review/"
    before = (wishes.Wish.objects.filter(status="pending").count(), AuditEntry.objects.count())
    page = client.post(url, {"approve": "0", "reason": " "})
    assert page.status_code == 400
    body = page.content.decode()
    assert "理由" in errors(body) and 'value="0" selected' in body
    long = "因" * 501
    page = client.post(url, {"approve": "0", "reason": long})
    assert page.status_code == 400 and f'value="{long}"' in page.content.decode()
    assert client.post(url, {"approve": "maybe"}).status_code == 400
    after = (wishes.Wish.objects.filter(status="pending").count(), AuditEntry.objects.count())
    assert after == before
    done = client.post(url, {"approve": "0", "reason": "请走困难救助"})
    assert done.status_code == 302 and wishes.Wish.objects.get().status != "pending"


def test_cancelling_an_order_without_a_reason_is_explained_and_keeps_the_page(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.community import orders, services
    from jiceng.community.models import ServiceOrder

    need, _offer = need_and_offer(cast)
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    order = orders.order_dispatch(
        by=cast["secretary"], need=need, team=team, due_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(cast["secretary"])
    url = f"/console/services/orders/{order.pk}/"
    before = orders_snapshot()
    data = {"action": "cancel", "version": order.version, "note": " "}
    page = client.post(url, data)
    assert page.status_code == 400 and errors(page.content.decode())
    long = "因" * 501
    page = client.post(url, {**data, "note": long})
    assert page.status_code == 400 and f'value="{long}"' in page.content.decode()
    assert orders_snapshot() == before
    done = client.post(url, {**data, "note": "居民已自行解决"})
    assert done.status_code == 302 and ServiceOrder.objects.get().status == "cancelled"


def test_redispatching_with_a_time_that_is_no_time_writes_nothing_and_a_team_elsewhere_is_not_found(
    client, cast
):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.community import orders, services

    need, _offer = need_and_offer(cast)
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    theirs = services.team_create(by=cast["outsider"], community=cast["neighbour"], name="他们的队")
    order = orders.order_dispatch(
        by=cast["secretary"], need=need, team=team, due_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(cast["secretary"])
    url = f"/console/services/orders/{order.pk}/"
    before = orders_snapshot()
    data = {"action": "redispatch", "version": order.version, "team": team.pk}
    page = client.post(url, {**data, "due_at": "下周"})
    assert page.status_code == 400
    assert client.post(url, {**data, "team": theirs.pk}).status_code == 404
    assert orders_snapshot() == before


def test_a_need_from_the_phone_without_a_title_is_explained_beside_the_form_and_kept(client, cast):
    client.force_login(cast["resident"])
    before = needs_snapshot()
    page = client.post("/m/services/needs/", {"title": " ", "description": "留着我"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "请填写需求" in errors(body) and "留着我</textarea>" in body
    page = client.post("/m/services/needs/", {"title": "长" * 101})
    assert page.status_code == 400 and errors(page.content.decode())
    assert needs_snapshot() == before
    done = client.post("/m/services/needs/", {"title": "楼道灯"})
    assert done.status_code == 302 and Need.objects.get().title == "楼道灯"


def test_a_wish_too_dear_is_explained_beside_the_form_and_keeps_what_was_typed(client, cast):
    from jiceng.community.models import Wish

    client.force_login(cast["resident"])
    before = (Wish.objects.count(), AuditEntry.objects.count())
    data = {"title": "一台电视", "value": "5000", "description": "看新闻"}
    page = client.post("/m/services/wishes/new/", data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "2000" in errors(body)
    assert 'value="一台电视"' in body and 'value="5000"' in body and "看新闻</textarea>" in body
    page = client.post("/m/services/wishes/new/", {**data, "value": "9" * 21})
    assert page.status_code == 400 and errors(page.content.decode())
    assert (Wish.objects.count(), AuditEntry.objects.count()) == before
    done = client.post("/m/services/wishes/new/", {**data, "value": "80"})
    assert done.status_code == 302 and Wish.objects.get().title == "一台电视"


def test_a_rating_that_is_no_star_is_refused_and_the_comment_kept(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.community import services
    from jiceng.community.models import Activity, Signup

    client.force_login(cast["secretary"])
    client.post(ACTIVITIES, an_activity(cast))
    a = Activity.objects.get()
    row = services.signup(by=cast["resident"], activity=a)
    Activity.objects.filter(pk=a.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    Signup.objects.filter(pk=row.pk).update(checked_in_at=timezone.now() - timedelta(hours=2))
    client.force_login(cast["resident"])
    url = f"/m/services/activities/{a.pk}/rate/"
    page = client.post(url, {"rating": "9", "comment": "很好"})
    assert page.status_code == 400
    assert errors(page.content.decode()) and "很好</textarea>" in page.content.decode()
    assert not Signup.objects.filter(rating__isnull=False).exists()
    done = client.post(url, {"rating": "4", "comment": "很好"})
    assert done.status_code == 302 and Signup.objects.get().rating == 4

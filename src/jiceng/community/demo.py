"""Community services in the demo district: the three lists, a volunteer team, this month's
activities (some past with check-ins and ratings, one running now), orders in every state and
micro-wishes on the wall. Made through the services, so the data obeys the same rules; times of
past events are moved back afterwards. Everything here is generated (README: "The demo")."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from jiceng.accounts.models import RoleAssignment, User
from jiceng.community import orders, services, wishes
from jiceng.community.models import Activity, ServiceOrder, Signup
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.party.models import Member, PartyOrg

NEEDS = [
    ("独居老人午餐没人做", "visit"),
    ("小区缺少儿童托管", "forum"),
    ("楼道堆物影响通行", "box"),
    ("想学用智能手机挂号", "online"),
    ("老人理发不方便", "visit"),
    ("希望有法律咨询", "online"),
]
OFFERS = [
    ("每周三老年助餐送餐", "care", 30, "每周三 11:00", "社区老年食堂"),
    ("义务理发", "care", 20, "每月第一个周六上午", "党群服务中心"),
    ("律师坐班咨询", "legal", 10, "每月 15 日下午", "党群服务中心二楼"),
    ("智能手机课堂", "education", 25, "每周五 15:00", "社区多功能室"),
]
ACTIVITIES = [
    ("义诊进社区：量血压测血糖", "党群服务中心一楼", 40),
    ("长者智能手机课堂", "社区多功能室", 25),
    ("义务理发", "党群服务中心", 20),
    ("垃圾分类宣传", "小区中心广场", 30),
    ("四点半课堂", "社区图书室", 15),
    ("消防安全演练", "小区东门", 50),
    ("律师坐班咨询", "党群服务中心二楼", 10),
    ("邻里节百家宴", "社区广场", 60),
]
WISHES = [
    ("一个新书包", "80"),
    ("一台助听器", "600"),
    ("一套冬季棉被", "200"),
    ("一箱课外书", "150"),
    ("一辆学步车", "120"),
    ("一副老花镜", "50"),
]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _member_for(user: User, community: Division) -> Member:
    """The demo member account's party record, in the community's first branch."""
    found = Member.objects.filter(user=user).first()
    if found is not None:
        return found
    org = (
        PartyOrg.objects.filter(scope_code__startswith=community.code, kind="branch")
        .order_by("scope_code")
        .first()
        or PartyOrg.objects.filter(scope_code=community.code).first()
    )
    return Member.objects.create(
        user=user,
        name=user.full_name or user.username,
        org=org,
        joined_at=date(2012, 7, 1),
        dues_from=date(2012, 7, 1),
        scope_code=org.scope_code,
    )


def build_services_demo(*, district: str, seed: int = 11) -> None:
    """Fill the demo's first community (and a few more) with services data."""
    rng = random.Random(seed)
    secretary = User.objects.get(username="secretary")
    community = Division.objects.get(
        code=secretary.role_assignments.filter(role="community_secretary").first().scope_code
    )
    resident = User.objects.get(username="resident")
    member_user = User.objects.get(username="member")
    partner_user = User.objects.filter(username="partner").first()
    member = _member_for(member_user, community)
    partner = (
        Partner.objects.filter(kind__in=["enterprise", "social_org", "agency"])
        .order_by("pk")
        .first()
    )
    neighbours = list(
        User.objects.filter(
            role_assignments__role="resident",
            role_assignments__scope_code__startswith=community.code,
        )
        .exclude(pk=resident.pk)
        .order_by("pk")[:30]
    )
    # Give the demo member account the member role in the demo community if it sits elsewhere.
    if not RoleAssignment.objects.filter(
        user=member_user, role="member", scope_code=community.code
    ).exists():
        RoleAssignment.objects.filter(user=member_user, role="member").update(
            division=community, scope_code=community.code
        )
    today = timezone.localdate()
    now = timezone.now()

    # Team and lists.
    team = services.team_create(
        by=secretary,
        community=community,
        name="红马甲志愿服务队",
        description="社区党员、居民和共建单位职工组成的志愿服务队",
    )
    services.team_join(by=secretary, team=team, user=member_user, leader=True)
    services.team_join(by=secretary, team=team, user=resident)
    if partner_user is not None:
        services.team_join(by=secretary, team=team, user=partner_user)
    for person in neighbours[:6]:
        services.team_join(by=secretary, team=team, user=person)

    needs = []
    for i, (title, source) in enumerate(NEEDS):
        poster = resident if i in (0, 3) else (neighbours[i] if i < len(neighbours) else None)
        need = services.need_post(
            by=poster if source == "online" and poster else secretary,
            title=title,
            source=source if not (source == "online" and poster) else "online",
            community=community,
        )
        if poster and need.posted_by_id != poster.pk:
            need.posted_by = poster
            need.save(update_fields=["posted_by"])
        needs.append(need)
    for need in needs[:4]:
        services.need_accept(by=secretary, need=need)
    services.need_decline(
        by=secretary, need=needs[4], reason="已由“义务理发”服务每月上门，请关注活动日历报名"
    )
    services.need_post(by=resident, title="小区路灯坏了两盏", community=community)  # pending

    offers = []
    for i, (title, kind, capacity, when, where) in enumerate(OFFERS):
        provider = (
            {"partner": partner}
            if i == 2 and partner
            else {"member": member}
            if i == 3
            else {"team": team}
        )
        offers.append(
            services.offer_create(
                by=secretary,
                community=community,
                title=title,
                kind=kind,
                capacity=capacity,
                when=when,
                where=where,
                **provider,
            )
        )
    project = services.project_create(
        by=secretary,
        community=community,
        month=today,
        title="长者关爱月",
        needs=needs[:2],
        offers=offers[:2],
        responsible_team=team,
        description="助餐、理发、义诊，服务社区老人",
    )
    services.project_publish(by=secretary, project=project)

    # Activities across this month: past ones with check-ins and ratings, one running now,
    # the rest open for sign-up.
    first = today.replace(day=1)
    days = sorted({first + timedelta(days=d) for d in range(0, 28, 3)})
    for i, (title, place, capacity) in enumerate(ACTIVITIES):
        day = days[i % len(days)]
        starts = _at(day, rng.choice([9, 10, 14, 15]))
        activity = _activity(secretary, community, title, place, capacity, starts, project, team)
        people = [resident, member_user, *neighbours[: rng.randint(5, 15)]]
        if starts + timedelta(hours=2) < now:
            _past(activity, people, rng)
        else:
            for person in people[2:]:
                services.signup(by=person, activity=activity)
    running = _activity(
        secretary,
        community,
        "社区清洁日",
        "小区中心广场",
        30,
        now.replace(second=0, microsecond=0) - timedelta(minutes=20),
        project,
        team,
    )
    for person in neighbours[:5]:
        services.signup(by=person, activity=running)
    full = _activity(
        secretary,
        community,
        "亲子手工课（名额紧张）",
        "社区多功能室",
        3,
        _at(today + timedelta(days=2), 15),
        None,
        team,
    )
    for person in neighbours[:5]:
        services.signup(by=person, activity=full)

    # Orders in every state; one nobody accepted in time.
    due = now + timedelta(days=1)
    states = ["dispatched", "accepted", "done", "rated", "late"]
    for state, need in zip(states, [needs[0], needs[1], needs[2], needs[3], needs[0]], strict=True):
        order = orders.order_dispatch(
            by=secretary, need=need, member=member, due_at=due, address="月湖小区 3 栋"
        )
        if state in ("accepted", "done", "rated"):
            orders.order_accept(by=member_user, order=order)
        if state in ("done", "rated"):
            orders.order_report_done(by=member_user, order=order, result="已上门完成服务")
        if state == "rated" and order.resident_id:
            orders.order_rate(by=order.resident, order=order, rating=5, comment="很及时，谢谢")
        if state == "late":
            ServiceOrder.objects.filter(pk=order.pk).update(due_at=now - timedelta(hours=3))

    # Wishes on the wall, claimed, fulfilled and confirmed.
    posters = [resident, *neighbours[6:11]]
    for i, (title, value) in enumerate(WISHES):
        poster = posters[i % len(posters)]
        wish = wishes.wish_post(by=poster, title=title, value=Decimal(value), community=community)
        if i == 5:
            continue  # waiting for review
        wishes.wish_review(by=secretary, wish=wish, approve=True)
        if i >= 3:
            continue  # on the wall
        claimer = member_user if i != 2 or partner_user is None else partner_user
        wishes.wish_claim(by=claimer, wish=wish)
        if i == 0:
            wishes.wish_fulfil(by=claimer, wish=wish, photo=_photo(), note="已送到家中")
            wishes.wish_confirm(by=poster, wish=wish)


def _photo():
    """A small generated picture standing in for the delivery photo."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (255, 244, 230))
    ImageDraw.Draw(image).rectangle((200, 140, 440, 340), fill=(200, 16, 46))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile("delivered.jpg", out.getvalue(), content_type="image/jpeg")


def _activity(by, community, title, place, capacity, starts, project, team) -> Activity:
    return services.activity_create(
        by=by,
        community=community,
        title=title,
        place=place,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=capacity,
        signup_opens_at=min(starts - timedelta(days=10), timezone.now() - timedelta(days=1)),
        signup_closes_at=starts
        if starts + timedelta(hours=2) < timezone.now()
        else max(starts, timezone.now() + timedelta(minutes=5)),
        project=project,
        team=team,
    )


def _past(activity: Activity, people: list[User], rng: random.Random) -> None:
    """Sign-ups, check-ins, check-outs and ratings of an activity that already happened."""
    rows = [
        Signup(activity=activity, user=p, status="confirmed", confirmed_at=activity.signup_opens_at)
        for p in people[: activity.capacity]
    ]
    for row in rows:
        if rng.random() < 0.85:
            row.checked_in_at = activity.starts_at + timedelta(minutes=rng.randint(-10, 10))
            row.checked_out_at = activity.ends_at + timedelta(minutes=rng.randint(-5, 15))
            row.hours = Decimal(
                round((row.checked_out_at - row.checked_in_at).total_seconds() / 3600, 2)
            ).quantize(Decimal("0.01"))
            if rng.random() < 0.7:
                row.rating = rng.choice([4, 5, 5, 5, 3])
                row.rated_at = activity.ends_at + timedelta(hours=1)
    Signup.objects.bulk_create(rows)
    Activity.objects.filter(pk=activity.pk).update(taken=len(rows))

"""The demo's deliberation, in the first community (where the demo's secretary and resident
are): a year of monthly 月月谈 meetings with their people by category, minutes approved by most
of those present, resolutions and photos left out; about seven issues a month from every door,
most of them carried out and reported back (Huishan's Qingshan Lancheng collected 82 and solved
60); the coming 月月谈 and a 民情恳谈会 next week; one matter through all five steps and one in
progress at the third. Generated straight into the tables with back-dated events, like the
other demos (README "The demo")."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from jiceng.accounts.models import RoleAssignment
from jiceng.cases.models import Case
from jiceng.community.models import Need
from jiceng.core.scope import community_of
from jiceng.deliberation.kinds import load_kinds
from jiceng.deliberation.models import (
    AgendaItem,
    Category,
    Issue,
    IssueEvent,
    Matter,
    MatterStep,
    Meeting,
    MeetingKind,
    Participant,
)
from jiceng.geo.models import Division

ISSUES = [
    (
        "小区停车难，夜间车辆乱停",
        "由社区协调物业在小区东侧空地新划停车位 40 个，业委会监督收费标准",
    ),
    ("3 号楼楼道堆放杂物", "网格员会同物业一周内清理，张贴消防提示"),
    ("广场舞噪音扰民", "与舞蹈队约定晚 8 点半前结束，音量降低并使用定向音箱"),
    ("垃圾分类投放点设置不合理", "将 2 号投放点迁至小区北门，增设洗手池"),
    ("小区路灯损坏多处", "物业公司 10 日内维修，社区跟踪"),
    ("电动车充电桩不足", "共建单位供电所援建充电桩 20 个"),
    ("雨季地下室积水", "申报社区微实事项目，疏通排水管并加装水泵"),
    ("楼顶防水层老化漏雨", "列入老旧小区改造计划，先行临时修补"),
    ("宠物粪便无人清理", "发起文明养犬倡议，设置宠物便袋箱"),
    ("快递柜数量不够", "协调快递企业增设快递柜 2 组"),
    ("儿童游乐设施老化", "由社区党组织为民服务专项资金更换"),
    ("高空抛物隐患", "在 5 栋高层加装高空抛物监控"),
    ("绿化带被占用种菜", "楼栋长上门劝导，恢复绿化"),
    ("下水道反复堵塞", "物业疏通并排查管网，住建部门督办"),
    ("老年人吃饭难", "在党群服务中心开设长者助餐点"),
    ("周边菜市场占道经营", "报街道城管中队联合整治"),
    ("消防通道被占用", "施划消防通道标线，物业每日巡查"),
    ("外墙瓷砖脱落", "紧急围挡并申请维修资金"),
    ("小区门禁损坏", "物业更换门禁系统，住户登记人脸"),
    ("健身器材损坏", "共建单位捐赠健身器材一套"),
    ("夜间工地施工噪音", "报城管部门核查夜间施工许可"),
    ("物业费收支不透明", "物业每季度在公示栏公开收支，业委会审核"),
    ("车棚漏雨", "列入本月微实事，更换车棚顶棚"),
    ("自来水水压不足", "协调水务公司检修二次供水设备"),
    ("小区监控有盲区", "增设监控探头 6 个"),
    ("流浪猫过多", "联系社会组织开展绝育和领养"),
    ("放学接送时段拥堵", "与学校、交警协商错峰放学并设临时停车点"),
    ("楼道灯不亮", "更换声控灯"),
    ("小区缺少休息座椅", "在中心花园增设座椅 10 把"),
    ("公共区域缺少无障碍坡道", "在 1、4 号楼入口加建无障碍坡道"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "桂兰",
    "海燕",
    "国华",
    "丽娟",
    "文斌",
    "淑珍",
    "晓东",
    "玉梅",
    "德明",
    "春花",
    "振华",
    "红霞",
    "立新",
]
# Who comes to a 月月谈, by category, and how many of each.
ROSTER = [
    (Category.COMMITTEE, 3),
    (Category.DEPUTY, 2),
    (Category.GROUP_LEADER, 4),
    (Category.PARTY_GROUP_LEADER, 2),
    (Category.LEAD_HOUSEHOLD, 2),
    (Category.OWNERS_COMMITTEE, 1),
    (Category.PROPERTY_COMPANY, 1),
    (Category.UNIT, 2),
]
MEETING_DAY = 15


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _months_back(today, n: int):
    """The MEETING_DAY of the month ``n`` months before ``today``'s (after, when negative)."""
    year, month = today.year, today.month - n
    while month < 1:
        month, year = month + 12, year - 1
    while month > 12:
        month, year = month - 12, year + 1
    return today.replace(year=year, month=month, day=MEETING_DAY)


def build_deliberation_demo(*, district: str, seed: int = 13) -> dict[str, int]:
    """Fill the first community's deliberation; returns what was made."""
    rng = random.Random(seed)
    secretary = (
        RoleAssignment.objects.filter(
            role="community_secretary", scope_code__startswith=district, ended_at__isnull=True
        )
        .select_related("user")
        .order_by("id")
        .first()
    )
    if secretary is None:
        return {}
    community = Division.objects.get(code=community_of(secretary.scope_code))
    by = secretary.user
    residents = [
        a.user
        for a in RoleAssignment.objects.filter(
            role="resident", scope_code__startswith=community.code, ended_at__isnull=True
        )
        .select_related("user")
        .order_by("id")[:40]
    ]
    load_kinds(MeetingKind)  # a flushed test database has lost the migration's rows
    kinds = {k.code: k for k in MeetingKind.objects.all()}
    talk = kinds["monthly_talk"]
    today = timezone.localdate()
    now = timezone.now()
    names = [s + g for s in SURNAMES for g in GIVEN]
    rng.shuffle(names)
    roster = [(c, names.pop()) for c, n in ROSTER for _ in range(n)]
    # The community's staff sit on the 月月谈 as its committee members, with their accounts.
    staff = [
        a.user
        for a in RoleAssignment.objects.filter(
            role__in=["community_secretary", "community_worker"],
            scope_code=community.code,
            ended_at__isnull=True,
        )
        .select_related("user")
        .order_by("id")[:3]
    ]
    roster_users = [
        staff[i] if c == Category.COMMITTEE and i < len(staff) else None
        for i, (c, _n) in enumerate(roster)
    ]

    def meeting(kind, day, title, hour=19, held=True):
        m = Meeting.objects.create(
            kind=kind,
            community=community,
            title=title,
            starts_at=_at(day, hour),
            ends_at=_at(day, hour + 2),
            place=f"{community.name}党群服务中心议事厅",
            status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
            created_by=by,
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=m, position=i, title=t) for i, t in enumerate(kind.agenda_lines(), 1)
        )
        return m

    def people(m, held: bool, with_accounts: list, last: bool = False):
        rows = [
            Participant(meeting=m, category=c, name=u.full_name if u else n, user=u, invited=True)
            for (c, n), u in zip(roster, roster_users, strict=True)
        ] + [
            Participant(
                meeting=m, category=Category.RESIDENT, name=u.full_name, user=u, invited=True
            )
            for u in with_accounts
        ]
        if held:
            for p in rows:
                p.present = rng.random() < (0.95 if p.user else 0.85)
                if p.present:
                    p.method = "qr" if p.user else "manual"
                    p.checked_in_at = m.starts_at + timedelta(minutes=rng.randint(-20, 10))
                    # the demo resident has the last meeting's minutes still to approve
                    waiting = p.user is not None and p.user.username == "resident" and last
                    if p.user and not waiting and rng.random() < 0.9:
                        p.approved_at = m.ends_at + timedelta(days=rng.randint(1, 3))
        Participant.objects.bulk_create(rows)

    meetings: list[Meeting] = []
    titles = iter(rng.sample(ISSUES, len(ISSUES)))
    issues_made: list[tuple[Issue, list[tuple[str, str, datetime, str]]]] = []
    cases = list(Case.objects.filter(scope_code__startswith=community.code).order_by("id")[:20])
    needs = list(Need.objects.filter(scope_code__startswith=community.code).order_by("id")[:10])
    # The last twelve 15ths before today (this month's when it has passed).
    for n in range(12):
        day = _months_back(today, (11 - n) if today.day > MEETING_DAY else (12 - n))
        m = meeting(talk, day, f"{day.month}月“月月谈”党群议事会")
        accounts = rng.sample(residents, min(4, len(residents))) if residents else []
        demo_resident = next((u for u in residents if u.username == "resident"), None)
        if demo_resident is not None and demo_resident not in accounts and n >= 10:
            accounts.append(demo_resident)
        people(m, True, accounts, last=n == 11)
        meetings.append(m)
    for m in meetings:
        raised = m.starts_at - timedelta(days=rng.randint(3, 25))
        for _ in range(rng.randint(6, 8)):
            try:
                title, resolution = next(titles)
            except StopIteration:
                title, resolution = rng.choice(ISSUES)
            source = rng.choices(
                [Issue.Source.MEETING, Issue.Source.PHONE, Issue.Source.CASE, Issue.Source.NEED],
                [4, 3, 2, 1],
            )[0]
            if source == Issue.Source.CASE and not cases:
                source = Issue.Source.PHONE
            if source == Issue.Source.NEED and not needs:
                source = Issue.Source.MEETING
            age_days = (now - m.starts_at).days
            roll = rng.random()
            if age_days < 20:
                status = rng.choice([Issue.Status.ON_AGENDA, Issue.Status.RESOLVED])
            elif roll < 0.1:
                status = Issue.Status.DISMISSED
            elif roll < 0.25 and age_days < 100:
                status = Issue.Status.RESOLVED
            elif roll < 0.55:
                status = Issue.Status.CARRIED_OUT
            else:
                status = Issue.Status.REPORTED
            created = m.starts_at if source == Issue.Source.MEETING else raised
            issue = Issue(
                community=community,
                title=title,
                description=f"居民反映：{title}。",
                source=source,
                raised_by=rng.choice(residents)
                if source == Issue.Source.PHONE and residents
                else by,
                raised_at=m if source == Issue.Source.MEETING else None,
                meeting=m,
                case=rng.choice(cases) if source == Issue.Source.CASE else None,
                need=rng.choice(needs) if source == Issue.Source.NEED else None,
                status=status,
            )
            path = [("raise", "", Issue.Status.COLLECTED, created, "")]
            path.append(
                (
                    "schedule",
                    Issue.Status.COLLECTED,
                    Issue.Status.ON_AGENDA,
                    created + timedelta(hours=1),
                    "",
                )
            )
            if status == Issue.Status.DISMISSED:
                path.append(
                    (
                        "dismiss",
                        Issue.Status.ON_AGENDA,
                        status,
                        m.ends_at,
                        "属于业主个人事务，已引导自行协商",
                    )
                )
            if status in (Issue.Status.RESOLVED, Issue.Status.CARRIED_OUT, Issue.Status.REPORTED):
                issue.resolution = resolution
                path.append(
                    (
                        "resolve",
                        Issue.Status.ON_AGENDA,
                        Issue.Status.RESOLVED,
                        m.ends_at,
                        resolution,
                    )
                )
            if status in (Issue.Status.CARRIED_OUT, Issue.Status.REPORTED):
                done = m.ends_at + timedelta(days=rng.randint(5, 25))
                issue.outcome, issue.solved_at = "已落实，居民代表验收满意", done
                path.append(
                    (
                        "carry_out",
                        Issue.Status.RESOLVED,
                        Issue.Status.CARRIED_OUT,
                        done,
                        issue.outcome,
                    )
                )
            if status == Issue.Status.REPORTED:
                told = issue.solved_at + timedelta(days=rng.randint(1, 10))
                path.append(
                    (
                        "report",
                        Issue.Status.CARRIED_OUT,
                        status,
                        min(told, now),
                        "在下月月月谈上通报并在公示栏公开",
                    )
                )
            issue.version = len(path) - 1
            issues_made.append((issue, path))
    Issue.objects.bulk_create([i for i, _ in issues_made])
    created_at = {}
    for issue, path in issues_made:
        created_at[issue.pk] = path[0][3]
    IssueEvent.objects.bulk_create(
        IssueEvent(issue=i, at=at, actor=by, action=a, from_status=f, to_status=t, note=note)
        for i, path in issues_made
        for a, f, t, at, note in path
    )
    for pk, at in created_at.items():  # back-date: the indicators count by created_at
        Issue.objects.filter(pk=pk).update(created_at=at)
    for m in meetings:
        resolved = [i.title for i, _ in issues_made if i.meeting_id == m.pk and i.resolution]
        m.minutes = (
            f"{m.title}于{timezone.localtime(m.starts_at):%Y年%m月%d日}召开，社区党委书记主持。"
            f"会议通报了上月议题落实情况，协商议题 {sum(1 for i, _ in issues_made if i.meeting_id == m.pk)} 项。"
        )
        m.resolutions = "\n".join(f"{n}. {t}" for n, t in enumerate(resolved, 1))
        m.minutes_published_at = m.ends_at + timedelta(hours=20)
        m.save()

    # What comes next: the coming 月月谈 and a 民情恳谈会 next week.
    upcoming_day = _months_back(today, 0 if today.day <= MEETING_DAY else -1)
    coming = meeting(talk, upcoming_day, f"{upcoming_day.month}月“月月谈”党群议事会", held=False)
    people(coming, False, residents[:4])
    talk_day = today + timedelta(days=7)
    meeting(kinds["opinion"], talk_day, "老旧小区改造民情恳谈会", hour=15, held=False)
    for title in ("新能源车位如何分配", "小区公共收益怎么用"):
        fresh = Issue.objects.create(
            community=community,
            title=title,
            source=Issue.Source.PHONE,
            raised_by=residents[0] if residents else by,
        )
        IssueEvent.objects.create(
            issue=fresh, actor=fresh.raised_by, action="raise", to_status=Issue.Status.COLLECTED
        )

    # Five-step matters: one done, one at the third step.
    residents_meeting = meeting(
        kinds["residents"], _months_back(today, 3) + timedelta(days=3), "居民代表会议"
    )
    reps = [
        Participant(
            meeting=residents_meeting, category=Category.RESIDENT, name=names.pop(), invited=True
        )
        for _ in range(30)
    ]
    for p in reps[:24]:
        p.present, p.method, p.checked_in_at = True, "manual", residents_meeting.starts_at
    Participant.objects.bulk_create(reps)
    _matter(community, by, "小区停车位划线及收费标准", meetings, residents_meeting, rng, done=True)
    _matter(community, by, "老旧小区加装电梯", meetings, None, rng, done=False)
    return {
        "meetings": Meeting.objects.filter(scope_code=community.code).count(),
        "issues": len(issues_made),
    }


def _matter(community, by, title, meetings, residents_meeting, rng, *, done: bool) -> None:
    start = meetings[-5].starts_at.date() if done else meetings[-2].starts_at.date()
    steps = [
        ("propose", "", Matter.Status.PROPOSED, start, None, "社区党委会议提议"),
        (
            "consult",
            Matter.Status.PROPOSED,
            Matter.Status.CONSULTED,
            start + timedelta(days=7),
            None,
            "两委联席会议商议，形成初步方案",
        ),
        (
            "review",
            Matter.Status.CONSULTED,
            Matter.Status.REVIEWED,
            start + timedelta(days=14),
            None,
            "党员大会审议通过",
        ),
    ]
    if done:
        rm = residents_meeting
        steps += [
            (
                "resolve",
                Matter.Status.REVIEWED,
                Matter.Status.RESOLVED,
                rm.starts_at.date(),
                rm,
                "居民代表会议表决",
            ),
            (
                "publish",
                Matter.Status.RESOLVED,
                Matter.Status.PUBLISHED,
                rm.starts_at.date() + timedelta(days=2),
                None,
                "决议在公示栏和微信群公示 7 天",
            ),
            (
                "report",
                Matter.Status.PUBLISHED,
                Matter.Status.DONE,
                rm.starts_at.date() + timedelta(days=40),
                None,
                "划线完成，收费标准公示",
            ),
        ]
    matter = Matter.objects.create(
        community=community,
        title=title,
        description=f"{title}（民主决策五步法）",
        status=steps[-1][2],
        created_by=by,
        version=len(steps) - 1,
    )
    MatterStep.objects.bulk_create(
        MatterStep(
            matter=matter,
            at=_at(day, 20),
            actor=by,
            action=a,
            from_status=f,
            to_status=t,
            held_on=day,
            meeting=m,
            evidence=ev,
            **({"votes_for": 21, "votes_against": 2, "votes_abstain": 1} if a == "resolve" else {}),
        )
        for a, f, t, day, m, ev in steps
    )

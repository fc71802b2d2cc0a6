"""The demo's polls in the district's first community: a closed household vote on this year's
micro-project with web and paper ballots (two paper batches typed twice), an open vote on a
lift with a third of the households in, a satisfaction survey with answers, a published
selection (最美邻里) and a compact adopted by a vote. The demo resident's account is linked to
an adult of a household in the register, whose household has not voted in the open poll.

Ballots go straight into the tables (as the other demos' records do); the closes are counted
by the services."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.scope import covers
from jiceng.deliberation import polls
from jiceng.deliberation.models import (
    Ballot,
    BallotMark,
    Channel,
    Compact,
    CompactVersion,
    Nomination,
    PaperBatch,
    PaperEntry,
    Poll,
    RegisterLink,
    Selection,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    VoteRecord,
)
from jiceng.deliberation.selections import combine
from jiceng.deliberation.surveys import respondent_key
from jiceng.geo.models import Division
from jiceng.registry.models import Person

COMPACT_TEXT = """一、爱党爱国，遵纪守法，维护社区和谐稳定。
二、邻里互助，文明礼让，不高空抛物，不在楼道堆放杂物。
三、爱护公共设施和绿化，垃圾分类投放，文明饲养宠物。
四、电动自行车不进楼入户，按规定停放充电。
五、积极参加社区议事协商和志愿服务。"""


def _vote(poll: Poll, households, rng: random.Random, weights: list[int], paper_share: float):
    """Ballots of these households (person: an adult of each), split between web and paper;
    the paper ones in batches of up to 20, typed twice and counted."""
    options = list(poll.options.order_by("position"))
    paper = [h for h in households if rng.random() < paper_share]
    web = [h for h in households if h not in paper]
    secretary, worker = poll.created_by, _worker(poll) or poll.created_by
    records, ballot_rows, marks = [], [], []

    def ballot(channel):
        option = rng.choices(options, weights=weights)[0]
        b = Ballot(poll=poll, channel=channel)
        ballot_rows.append(b)
        marks.append(BallotMark(ballot=b, poll=poll, option=option))
        return option

    for household, adult in web:
        records.append(
            VoteRecord(
                poll=poll,
                voter_key=f"h{household.pk}",
                household=household,
                person=adult,
                channel=Channel.WEB,
                by=None,
                scope_code=household.scope_code,
            )
        )
        ballot(Channel.WEB)
    entries = []
    for number, start in enumerate(range(0, len(paper), 20), start=1):
        chunk = paper[start : start + 20]
        batch = PaperBatch.objects.create(
            poll=poll,
            number=number,
            sheets=len(chunk),
            signed_by="唱票 张建国，监票 李秀英",
            status=PaperBatch.Status.COUNTED,
            first_by=secretary,
            second_by=worker,
            counted_by=secretary,
            counted_at=timezone.now(),
        )
        for line, (household, _adult) in enumerate(chunk, start=1):
            option = ballot(Channel.PAPER)
            for round_, by in ((1, secretary), (2, worker)):
                entries.append(
                    PaperEntry(
                        batch=batch,
                        round=round_,
                        line=line,
                        household=household,
                        choice=[[option.pk, 1]],
                        by=by,
                    )
                )
            records.append(
                VoteRecord(
                    poll=poll,
                    voter_key=f"h{household.pk}",
                    household=household,
                    channel=Channel.PAPER,
                    batch=batch,
                    by=secretary,
                    scope_code=household.scope_code,
                )
            )
    VoteRecord.objects.bulk_create(records)
    Ballot.objects.bulk_create(ballot_rows)
    BallotMark.objects.bulk_create(marks)
    PaperEntry.objects.bulk_create(entries)


def _worker(poll: Poll) -> User | None:
    assignment = (
        RoleAssignment.objects.filter(
            role="community_worker", scope_code=poll.scope_code, ended_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def build_polls_demo(*, district: str, resident: str = "resident", seed: int = 2026) -> dict:
    """Fill the first community with polls, a survey, a selection and a compact."""
    rng = random.Random(seed)
    community = (
        Division.objects.filter(level="community", code__startswith=district)
        .order_by("code")
        .first()
    )
    staff = RoleAssignment.objects.filter(
        role="community_secretary", scope_code=community.code, ended_at__isnull=True
    ).first()
    if staff is None:
        return {}
    secretary = staff.user
    now = timezone.now()
    on = timezone.localdate()
    adults = list(
        polls.adults(on).within(community.code).filter(household__isnull=False).order_by("pk")
    )
    first_adult: dict[int, Person] = {}
    for person in adults:
        first_adult.setdefault(person.household_id, person)
    households = {p.household_id: p.household for p in adults}
    voters = [(households[h], p) for h, p in first_adult.items()]
    if not voters:  # a demo too small to have a household in its first community
        return {}

    # The demo resident: an adult of a household of their grid, linked to their account.
    user = User.objects.filter(username=resident).first()
    mine = None
    if user is not None:
        grids = user.scopes_for("resident")
        linked = set(RegisterLink.objects.values_list("person_id", flat=True))
        free = [p for p in adults if p.pk not in linked]
        mine = next((p for p in free if covers(grids, p.scope_code)), None) or (
            free[0] if free else None
        )
        if mine is not None:
            RegisterLink.objects.get_or_create(
                user=user, defaults={"person": mine, "confirmed_by": secretary}
            )

    # A closed household vote on this year's micro-project.
    closed = polls.poll_create(
        by=secretary,
        division=community,
        title=f"{on.year}年社区小微项目居民票决",
        description="三个候选项目由居民提议、两委商议后提出，每户一票，得票最多且过半数者实施。",
        kind=Poll.Kind.SINGLE,
        electorate=Poll.Electorate.HOUSEHOLD,
        purpose=Poll.Purpose.MICRO_PROJECT,
        options=["老旧小区车棚改造及充电桩", "背街小巷路灯补光", "口袋公园休闲座椅"],
        closes_at=now + timedelta(days=1),
        pass_share=Decimal("0.5"),
    )
    polls.poll_open(poll=closed, by=secretary)
    share = rng.uniform(0.62, 0.72)
    _vote(closed, [v for v in voters if rng.random() < share], rng, [58, 27, 15], 0.3)
    polls.poll_close(poll=closed, by=secretary)
    Poll.objects.filter(pk=closed.pk).update(
        opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=30)
    )

    # An open vote with about a third in; the demo resident's household has not voted.
    lift = polls.poll_create(
        by=secretary,
        division=community,
        title="是否同意为老旧楼栋加装电梯并分摊费用",
        description="加装电梯方案已在月月谈上讨论，费用按楼层分摊，详见公示栏。",
        kind=Poll.Kind.YES_NO,
        electorate=Poll.Electorate.HOUSEHOLD,
        closes_at=now + timedelta(days=10),
    )
    polls.poll_open(poll=lift, by=secretary)
    others = [v for v in voters if mine is None or v[0].pk != mine.household_id]
    _vote(lift, [v for v in others if rng.random() < 0.33], rng, [70, 20, 10], 0.2)

    # A compact adopted by a yes/no vote.
    compact = Compact.objects.create(division=community, title="居民公约", kind="compact")
    vote = polls.poll_create(
        by=secretary,
        division=community,
        title="表决：居民公约（第1版）",
        description=COMPACT_TEXT,
        kind=Poll.Kind.YES_NO,
        electorate=Poll.Electorate.HOUSEHOLD,
        purpose=Poll.Purpose.COMPACT,
        closes_at=now + timedelta(days=1),
    )
    CompactVersion.objects.create(
        compact=compact,
        number=1,
        text=COMPACT_TEXT,
        status=CompactVersion.Status.VOTING,
        poll=vote,
        created_by=secretary,
    )
    polls.poll_open(poll=vote, by=secretary)
    _vote(vote, [v for v in voters if rng.random() < 0.6], rng, [85, 8, 7], 0.4)
    polls.poll_close(poll=vote, by=secretary)

    # A satisfaction survey, open, with answers from a fifth of the adults.
    survey = Survey.objects.create(
        division=community,
        title="社区服务满意度测评",
        kind=Survey.Kind.SATISFACTION,
        anonymous=True,
        status=Survey.Status.OPEN,
        opened_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=20),
        audience_size=len(adults),
        created_by=secretary,
    )
    questions = SurveyQuestion.objects.bulk_create(
        [
            SurveyQuestion(
                survey=survey, position=1, text="您对社区环境卫生是否满意？", kind="rating"
            ),
            SurveyQuestion(
                survey=survey, position=2, text="您对网格员上门服务是否满意？", kind="rating"
            ),
            SurveyQuestion(
                survey=survey,
                position=3,
                text="您最希望社区增加哪项服务？",
                kind="choice",
                choices=["老年助餐", "托育看护", "文体活动", "法律咨询"],
            ),
            SurveyQuestion(survey=survey, position=4, text="其他意见和建议", kind="text"),
        ]
    )
    residents = list(
        RoleAssignment.objects.filter(role="resident", scope_code__startswith=community.code)
        .exclude(user__username=resident)
        .select_related("user")[: max(1, len(adults) // 5)]
    )
    answers = []
    for a in residents:
        response = SurveyResponse.objects.create(
            survey=survey, respondent_key=respondent_key(survey, a.user), scope_code=a.scope_code
        )
        answers += [
            SurveyAnswer(
                response=response, question=questions[0], rating=rng.choice([3, 4, 4, 5, 5])
            ),
            SurveyAnswer(response=response, question=questions[1], rating=rng.choice([2, 4, 5, 5])),
            SurveyAnswer(
                response=response, question=questions[2], choice=rng.choice(questions[2].choices)
            ),
        ]
        if rng.random() < 0.2:
            answers.append(
                SurveyAnswer(
                    response=response,
                    question=questions[3],
                    text=rng.choice(["希望增加夜间路灯", "小区停车位紧张", "感谢网格员的帮助"]),
                )
            )
    SurveyAnswer.objects.bulk_create(answers)

    # A selection, published.
    selection = Selection.objects.create(
        division=community,
        title=f"{on.year}年度“最美邻里”评选",
        kind=Selection.Kind.NEIGHBOUR,
        seats=3,
        public_weight=40,
        status=Selection.Status.PUBLISHED,
        published_at=now - timedelta(days=3),
        created_by=secretary,
    )
    nominees = [p.name for p in adults[3:9]] or ["王秀兰", "刘建华", "陈桂英"]
    rows = []
    for name in nominees:
        votes, panel = rng.randint(20, 90), Decimal(rng.randint(70, 96))
        rows.append(
            Nomination(
                selection=selection,
                name=name,
                reason="长期照顾独居老人，热心调解邻里纠纷。",
                nominated_by=secretary,
                votes=votes,
                panel_score=panel,
            )
        )
    most = max(n.votes for n in rows)
    for n in rows:
        n.combined = combine(n.votes, most, n.panel_score, selection.public_weight)
    for rank, n in enumerate(sorted(rows, key=lambda n: -n.combined), start=1):
        n.rank = rank
    Nomination.objects.bulk_create(rows)
    return {"polls": Poll.objects.within(community.code).count(), "resident": bool(mine)}

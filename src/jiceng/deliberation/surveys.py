"""Surveys (群众评价 and needs surveys) to a community's residents, anonymous where set: one
answer sheet per resident (a keyed hash keeps it once without naming them), the response rate
per community and the satisfaction they give, declared as indicators."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.scope import community_of, user_covers
from jiceng.deliberation.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from jiceng.deliberation.polls import RESIDENT_ROLES, adults, person_of, resident_communities
from jiceng.geo.models import Division


def visible_surveys(user) -> QuerySet[Survey]:
    return Survey.objects.visible_to(user)


def resident_surveys(user) -> QuerySet[Survey]:
    codes = resident_communities(user)
    if not codes:
        return Survey.objects.none()
    return Survey.objects.within(*codes).exclude(status=Survey.Status.DRAFT)


def require_manage(user, survey: Survey) -> None:
    if not user_covers(user, MANAGER_ROLES, survey.scope_code):
        raise Forbidden(_("只有本社区的工作人员可以管理此问卷。"))


def survey_create(
    *,
    by,
    division: Division,
    title: str,
    kind: str,
    closes_at: datetime,
    questions: list[tuple[str, str, list[str]]],
    anonymous: bool = True,
    request=None,
) -> Survey:
    """A draft survey with its questions (text, kind, choices)."""
    if division.level != "community" or not user_covers(by, MANAGER_ROLES, division.code):
        raise Forbidden(_("只有本社区的工作人员可以发起问卷。"))
    if kind not in Survey.Kind.values:
        raise UserError(_("请选择问卷类型。"), field="kind")
    if closes_at <= timezone.now():
        raise UserError(_("截止时间须晚于现在。"), field="closes_at")
    if not questions:
        raise UserError(_("至少需要一个问题。"), field="questions")
    for text, qkind, choices in questions:
        if qkind not in SurveyQuestion.Kind.values or not text.strip():
            raise UserError(_("问题格式不正确。"), field="questions")
        if qkind == SurveyQuestion.Kind.CHOICE and len(choices) < 2:
            raise UserError(_("单选题至少需要两个选项。"), field="questions")
    with transaction.atomic():
        survey = Survey.objects.create(
            division=division,
            title=title.strip(),
            kind=kind,
            anonymous=anonymous,
            closes_at=closes_at,
            created_by=by,
        )
        SurveyQuestion.objects.bulk_create(
            [
                SurveyQuestion(survey=survey, position=i + 1, text=t.strip(), kind=k, choices=c)
                for i, (t, k, c) in enumerate(questions)
            ]
        )
        audit(actor=by, action="survey.create", obj=survey, request=request)
    return survey


def survey_open(*, survey: Survey, by, request=None) -> Survey:
    """Open the survey; its audience (the community's residents aged 18+) is counted now."""
    require_manage(by, survey)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != Survey.Status.DRAFT:
            raise UserError(_("只有草稿状态的问卷可以发布。"), status=409)
        survey.status = Survey.Status.OPEN
        survey.opened_at = timezone.now()
        survey.audience_size = adults(timezone.localdate()).within(survey.scope_code).count()
        survey.save(update_fields=["status", "opened_at", "audience_size", "updated_at"])
        audit(actor=by, action="survey.open", obj=survey, request=request)
    return survey


def survey_close(*, survey: Survey, by, request=None) -> Survey:
    require_manage(by, survey)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != Survey.Status.OPEN:
            raise UserError(_("只有进行中的问卷可以结束。"), status=409)
        survey.status = Survey.Status.CLOSED
        survey.save(update_fields=["status", "updated_at"])
        audit(actor=by, action="survey.close", obj=survey, request=request)
    return survey


def respondent_key(survey: Survey, user) -> str:
    message = f"survey:{survey.pk}:{user.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def has_answered(survey: Survey, user) -> bool:
    return SurveyResponse.objects.filter(
        survey=survey, respondent_key=respondent_key(survey, user)
    ).exists()


def survey_answer(*, survey: Survey, user, answers: dict[int, str], request=None) -> None:
    """A resident's answers (question id -> what they gave); once per resident."""
    if survey.status != Survey.Status.OPEN or survey.closes_at <= timezone.now():
        raise UserError(_("问卷已结束。"), status=409)
    if community_of(survey.scope_code) not in resident_communities(user):
        raise UserError(_("您不在本问卷的调查范围内。"), status=403)
    questions = list(survey.questions.all())
    rows = []
    for q in questions:
        value = (answers.get(q.pk) or "").strip()
        if not value:
            if q.kind == SurveyQuestion.Kind.TEXT:
                continue
            raise UserError(_("请回答：%(q)s") % {"q": q.text}, field=f"q{q.pk}")
        row = SurveyAnswer(question=q)
        if q.kind == SurveyQuestion.Kind.RATING:
            if value not in {"1", "2", "3", "4", "5"}:
                raise UserError(_("满意度请选 1 到 5。"), field=f"q{q.pk}")
            row.rating = int(value)
        elif q.kind == SurveyQuestion.Kind.CHOICE:
            if value not in q.choices:
                raise UserError(_("所选选项不存在。"), field=f"q{q.pk}")
            row.choice = value
        else:
            row.text = value[:1000]
        rows.append(row)
    person = person_of(user)
    scopes = user.scopes_for(*RESIDENT_ROLES)
    place = person.scope_code if person else (scopes[0] if scopes else survey.scope_code)
    with transaction.atomic():
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    survey=survey,
                    respondent_key=respondent_key(survey, user),
                    respondent=None if survey.anonymous else user,
                    scope_code=place,
                )
        except IntegrityError:
            raise UserError(_("您已提交过此问卷。"), status=409) from None
        for row in rows:
            row.response = response
        SurveyAnswer.objects.bulk_create(rows)
        audit(actor=user, action="survey.answer", obj=survey, request=request)


def results(survey: Survey) -> list[dict[str, Any]]:
    """Per question: the mean rating and its spread, the choices' counts, the latest texts."""
    out = []
    for q in survey.questions.all():
        answers = SurveyAnswer.objects.filter(question=q)
        row: dict[str, Any] = {"question": q, "count": 0}
        if q.kind == SurveyQuestion.Kind.RATING:
            spread = dict(answers.values_list("rating").annotate(n=Count("id")).order_by())
            n = sum(spread.values())
            row.update(
                count=n,
                spread=[(r, spread.get(r, 0)) for r in range(5, 0, -1)],
                mean=round(sum(r * c for r, c in spread.items()) / n, 2) if n else None,
                satisfied=round(100 * sum(c for r, c in spread.items() if r >= 4) / n)
                if n
                else None,
            )
        elif q.kind == SurveyQuestion.Kind.CHOICE:
            counts = Counter(dict(answers.values_list("choice").annotate(n=Count("id")).order_by()))
            row.update(
                count=sum(counts.values()), choices=[(c, counts.get(c, 0)) for c in q.choices]
            )
        else:
            row.update(
                count=answers.count(),
                texts=list(answers.order_by("-id").values_list("text", flat=True)[:20]),
            )
        out.append(row)
    return out


def response_rates(survey: Survey) -> list[dict[str, Any]]:
    """Response rate per community of the survey's place (two grouped queries)."""
    by_grid = survey.responses.values_list("scope_code").annotate(n=Count("id")).order_by()
    answered: dict[str, int] = defaultdict(int)
    for code, n in by_grid:
        answered[community_of(code)] += n
    audience: dict[str, int] = defaultdict(int)
    for code, n in (
        adults(timezone.localdate())
        .within(survey.scope_code)
        .values_list("scope_code")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        audience[community_of(code)] += n
    names = dict(
        Division.objects.filter(code__in=set(answered) | set(audience)).values_list("code", "name")
    )
    return [
        {
            "code": c,
            "name": names.get(c, c),
            "answered": answered.get(c, 0),
            "audience": audience.get(c, 0),
            "rate": round(100 * answered.get(c, 0) / audience[c], 1) if audience.get(c) else None,
        }
        for c in sorted(set(answered) | set(audience))
    ]


# --- indicators (declared in manifest_polls.py) ------------------------------------------------


def response_rate_indicator(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Surveys that closed in [start, end): answer sheets over the residents asked, by place."""
    rows = (
        Survey.objects.within(within)
        .filter(closes_at__gte=start, closes_at__lt=end)
        .exclude(status=Survey.Status.DRAFT)
        .values_list("scope_code", "audience_size")
        .annotate(n=Count("responses"))
        .order_by()
    )
    out: dict[str, tuple[int, int]] = {}
    for code, audience, n in rows:
        num, den = out.get(code, (0, 0))
        out[code] = (num + n, den + audience)
    return out


def satisfaction_indicator(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Ratings of satisfaction surveys given in [start, end): 4 or 5 stars over all ratings, by
    the grid of the resident who answered."""
    rows = (
        SurveyAnswer.objects.filter(
            response__in=SurveyResponse.objects.within(within).filter(at__gte=start, at__lt=end),
            question__survey__kind=Survey.Kind.SATISFACTION,
            rating__isnull=False,
        )
        .values_list("response__scope_code")
        .annotate(good=Count("id", filter=Q(rating__gte=4)), n=Count("id"))
        .order_by()
    )
    return {code: (good, n) for code, good, n in rows}

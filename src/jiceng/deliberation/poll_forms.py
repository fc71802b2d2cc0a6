"""The forms of the polls' pages (CONVENTIONS "Form input"): they parse and bound what a POST
carries; the services in ``polls``, ``ballots``, ``surveys``, ``selections`` and ``compacts``
decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.forms import MomentField, VisibleField
from jiceng.deliberation.models import Compact, Poll, Selection, Survey, SurveyQuestion
from jiceng.geo.models import Division
from jiceng.registry.models import Building, Compound


def communities_of(user):
    scopes = user.scopes_for(*MANAGER_ROLES)
    if not scopes:
        return Division.objects.none()
    return Division.objects.within(*scopes).filter(level="community").order_by("code")


class _PlaceForm(forms.Form):
    division = VisibleField(label=_("社区"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = communities_of(user)
        self.fields["division"].queryset = places
        self.fields["division"].widget = forms.Select(
            choices=[(d.pk, d.name) for d in places[:200]]
        )


SHARE = {"max_digits": 4, "decimal_places": 3, "min_value": 0, "max_value": 1}


class PollForm(_PlaceForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(
        label=_("说明"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("投票方式"), choices=Poll.Kind.choices)
    electorate = forms.ChoiceField(label=_("投票人"), choices=Poll.Electorate.choices)
    purpose = forms.ChoiceField(label=_("事项类别"), choices=Poll.Purpose.choices[:2])
    options = forms.CharField(
        label=_("选项（每行一个；赞成/反对/弃权无需填写）"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    compound = VisibleField(label=_("限定小区"), required=False)
    building = VisibleField(label=_("限定楼栋"), required=False)
    closes_at = MomentField(
        label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    max_choices = forms.IntegerField(label=_("最多可选"), min_value=1, max_value=50, initial=1)
    score_max = forms.IntegerField(label=_("最高分"), min_value=1, max_value=100, initial=5)
    seats = forms.IntegerField(label=_("当选名额"), min_value=1, max_value=50, initial=1)
    quorum_share = forms.DecimalField(label=_("有效参与比例"), initial=Decimal("0.5"), **SHARE)
    pass_share = forms.DecimalField(label=_("通过比例"), initial=Decimal("0.5"), **SHARE)
    at_least = forms.BooleanField(label=_("达到即可（否则须超过）"), required=False)
    area_share = forms.DecimalField(label=_("面积通过比例（双过半）"), required=False, **SHARE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        scopes = user.scopes_for(*MANAGER_ROLES)
        compounds = Compound.objects.within(*scopes) if scopes else Compound.objects.none()
        buildings = Building.objects.within(*scopes) if scopes else Building.objects.none()
        self.fields["compound"].queryset = compounds
        self.fields["building"].queryset = buildings
        self.fields["compound"].widget = forms.Select(
            choices=[("", "—")] + [(c.pk, c.name) for c in compounds.order_by("name")[:200]]
        )
        self.fields["building"].widget = forms.Select(
            choices=[("", "—")]
            + [(b.pk, str(b)) for b in buildings.select_related("compound").order_by("name")[:500]]
        )

    def option_list(self) -> list[str]:
        return [line for line in self.cleaned_data["options"].splitlines() if line.strip()]


class BatchForm(forms.Form):
    sheets = forms.IntegerField(label=_("选票张数"), min_value=1, max_value=500)
    signed_by = forms.CharField(label=_("签字人（唱票、监票）"), max_length=100)
    lines = forms.CharField(
        label=_("选票（每行：户编号 选择，如“1024 1”；废票写“作废”）"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class SecondEntryForm(forms.Form):
    lines = forms.CharField(
        label=_("第二次录入（每行：户编号 选择）"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class CorrectForm(forms.Form):
    round = forms.TypedChoiceField(
        label=_("录入轮次"), choices=[(1, _("第一次")), (2, _("第二次"))], coerce=int
    )
    line = forms.IntegerField(label=_("行号"), min_value=1, max_value=500)
    text = forms.CharField(label=_("核对纸质选票后的内容"), max_length=200)


def ballot_form(poll: Poll, data=None) -> forms.Form:
    """The phone's ballot for this poll's kind."""
    options = list(poll.options.all())
    fields: dict[str, forms.Field] = {}
    choices = [(o.id, o.label) for o in options]
    if poll.kind in (Poll.Kind.YES_NO, Poll.Kind.SINGLE):
        fields["options"] = forms.TypedChoiceField(
            label=_("您的选择"), choices=choices, coerce=int, widget=forms.RadioSelect
        )
    elif poll.kind == Poll.Kind.APPROVAL:
        fields["options"] = forms.TypedMultipleChoiceField(
            label=_("您的选择"), choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple
        )
    elif poll.kind == Poll.Kind.SCORE:
        for o in options:
            fields[f"score_{o.id}"] = forms.IntegerField(
                label=o.label, min_value=0, max_value=poll.score_max
            )
    else:
        ranks = [(n, str(n)) for n in range(1, len(options) + 1)]
        for o in options:
            fields[f"rank_{o.id}"] = forms.TypedChoiceField(
                label=o.label, choices=ranks, coerce=int
            )
    form = type("BallotForm", (forms.Form,), fields)(data)
    form.poll = poll
    return form


def ballot_of(form) -> dict:
    """The service's arguments from a valid ballot form."""
    data, poll = form.cleaned_data, form.poll
    if poll.kind in (Poll.Kind.YES_NO, Poll.Kind.SINGLE):
        return {"options": [data["options"]]}
    if poll.kind == Poll.Kind.APPROVAL:
        return {"options": list(data["options"])}
    if poll.kind == Poll.Kind.SCORE:
        return {"scores": {int(k[6:]): v for k, v in data.items() if k.startswith("score_")}}
    ranks = sorted((v, int(k[5:])) for k, v in data.items() if k.startswith("rank_"))
    if len({r for r, _ in ranks}) != len(ranks):
        return {"ranking": [o for _, o in ranks] + [ranks[0][1]]}  # the service refuses repeats
    return {"ranking": [o for _, o in ranks]}


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("回执码"), max_length=40)


class SurveyForm(_PlaceForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=Survey.Kind.choices)
    anonymous = forms.BooleanField(label=_("匿名"), required=False, initial=True)
    closes_at = MomentField(
        label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    questions = forms.CharField(
        label=_("问题（每行一个：“满意度|问题”、“单选|问题|选项1/选项2”或“文字|问题”）"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    KINDS = {"满意度": "rating", "rating": "rating", "单选": "choice", "choice": "choice"}

    def clean_questions(self):
        rows = []
        for line in self.cleaned_data["questions"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            kind = self.KINDS.get(parts[0], "text" if parts[0] in ("文字", "text") else None)
            if kind is None or len(parts) < 2 or not parts[1]:
                raise forms.ValidationError(_("无法识别的问题：%(line)s") % {"line": line[:50]})
            choices = (
                [c.strip() for c in parts[2].split("/") if c.strip()] if len(parts) > 2 else []
            )
            rows.append((parts[1], kind, choices))
        if not rows:
            raise forms.ValidationError(_("至少需要一个问题。"))
        return rows


def answer_form(survey: Survey, data=None) -> forms.Form:
    fields: dict[str, forms.Field] = {}
    for q in survey.questions.all():
        name = f"q{q.pk}"
        if q.kind == SurveyQuestion.Kind.RATING:
            fields[name] = forms.ChoiceField(
                label=q.text,
                choices=[(str(n), str(n)) for n in range(5, 0, -1)],
                widget=forms.RadioSelect,
            )
        elif q.kind == SurveyQuestion.Kind.CHOICE:
            fields[name] = forms.ChoiceField(
                label=q.text, choices=[(c, c) for c in q.choices], widget=forms.RadioSelect
            )
        else:
            fields[name] = forms.CharField(
                label=q.text, max_length=1000, required=False, widget=forms.Textarea({"rows": 3})
            )
    return type("AnswerForm", (forms.Form,), fields)(data)


class SelectionForm(_PlaceForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    kind = forms.ChoiceField(label=_("评选类别"), choices=Selection.Kind.choices)
    seats = forms.IntegerField(label=_("评选名额"), min_value=1, max_value=50, initial=10)
    public_weight = forms.IntegerField(
        label=_("群众投票权重（%）"), min_value=0, max_value=100, initial=40
    )


class NominationForm(forms.Form):
    name = forms.CharField(label=_("被提名者"), max_length=100)
    reason = forms.CharField(label=_("推荐理由"), max_length=500)


class ClosesForm(forms.Form):
    closes_at = MomentField(
        label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ScoreForm(forms.Form):
    nomination = VisibleField(label=_("被提名者"))
    score = forms.IntegerField(label=_("评分"), min_value=0, max_value=100)


class CompactForm(_PlaceForm):
    title = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类别"), choices=Compact.Kind.choices)
    text = forms.CharField(label=_("条文"), max_length=20000, widget=forms.Textarea({"rows": 8}))


class DraftForm(forms.Form):
    text = forms.CharField(label=_("条文"), max_length=20000, widget=forms.Textarea({"rows": 8}))


class ToVoteForm(ClosesForm):
    electorate = forms.ChoiceField(label=_("投票人"), choices=Poll.Electorate.choices)

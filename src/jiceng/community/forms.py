"""Forms of the community services' console pages: they parse and bound what a page posts; the
services keep the rules (core.forms.submit puts their refusals on the form)."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.community.checks import MAX_TEXT
from jiceng.community.models import Need, Offer
from jiceng.core.forms import MomentField, VisibleField
from jiceng.core.scope import visible_or_404


class TeamForm(forms.Form):
    # The service resolves the community through the manager's scope and words what is missing.
    community = forms.CharField(label=_("社区"), max_length=20, required=False)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("field label", "简介"), max_length=500, required=False
    )
    partner = VisibleField(label=_("所属共建单位"), required=False)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class NeedForm(forms.Form):
    """Staff enter a need collected on a visit, at a forum or from the suggestion box (the
    service resolves the community through the manager's scope and words a missing title)."""

    community = forms.CharField(label=_("社区"), max_length=20, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=Need.Source.choices, initial="visit")
    title = forms.CharField(label=_("需求"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("description", "说明"), max_length=MAX_TEXT, required=False
    )


class NeedReviewForm(forms.Form):
    """The monthly review of one need: put on the list, merged into an accepted one (named
    through what the reviewer sees) or declined with a reason the resident reads."""

    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("accept", _("列入清单")), ("merge", _("合并")), ("decline", _("不列入"))],
    )
    into = VisibleField(label=_("合并到"), required=False)
    reason = forms.CharField(label=_("审核意见"), max_length=500, required=False)

    def __init__(self, *args, needs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = needs


class OfferForm(forms.Form):
    """An entry on the offers list; its provider (one of a partner unit, a team or a member) is
    named through what the manager sees, and the service asks for exactly one."""

    community = forms.CharField(label=_("社区"), max_length=20, required=False)
    title = forms.CharField(label=_("服务内容"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=Offer.Kind.choices)
    partner = VisibleField(label=_("共建单位"), required=False)
    team = VisibleField(label=_("服务队"), required=False)
    member = VisibleField(label=_("党员"), required=False)
    capacity = forms.IntegerField(label=_("可服务人数/次数"), min_value=1, max_value=1_000_000)
    when = forms.CharField(label=_("服务时间"), max_length=100, required=False)
    where = forms.CharField(label=_("服务地点"), max_length=100, required=False)

    def __init__(self, *args, partners=None, teams=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["team"].queryset = teams
        self.fields["member"].queryset = members


class VisibleRecordsField(forms.Field):
    """Several ids that name records (a multiple select), each resolved like a
    ``core.forms.VisibleField``: any one absent, elsewhere or malformed is a 404."""

    widget = forms.SelectMultiple

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset

    def to_python(self, value):
        if value in self.empty_values:
            return []
        return [visible_or_404(self.queryset, pk=v) for v in value if v not in ("", None)]


class ProjectForm(forms.Form):
    """A month's project answering accepted needs with offers under a responsible partner unit
    or team (each named through what the manager sees; the service keeps the rules)."""

    month = forms.CharField(label=_("月份"), max_length=7, required=False)
    community = forms.CharField(label=_("社区"), max_length=20, required=False)
    title = forms.CharField(label=_("项目名称"), max_length=100, required=False)
    needs = VisibleRecordsField(label=_("对应需求"), required=False)
    offers = VisibleRecordsField(label=_("对应服务"), required=False)
    responsible = VisibleField(label=_("责任单位"), required=False)
    responsible_team = VisibleField(label=_("或责任服务队"), required=False)
    description = forms.CharField(label=_("内容"), max_length=MAX_TEXT, required=False)

    def __init__(self, *args, needs=None, offers=None, partners=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs
        self.fields["offers"].queryset = offers
        self.fields["responsible"].queryset = partners
        self.fields["responsible_team"].queryset = teams


class PublishForm(forms.Form):
    """Publishing a draft project: nothing to type; a refusal is shown beside the project."""


class TeamMemberForm(forms.Form):
    """Adding a person to a team by account name, as a leader or not."""

    username = forms.CharField(label=pgettext_lazy("username", "账号"), max_length=150)
    leader = forms.BooleanField(label=_("队长"), required=False)


def _moment(label) -> MomentField:
    return MomentField(
        label=label,
        required=False,
        error_messages={"invalid": format_lazy(_("{what}格式不正确。"), what=label)},
    )


class ActivityForm(forms.Form):
    """Publishing an activity session; its project and team are named through what the manager
    sees, and the service keeps the rules of times and places."""

    community = forms.CharField(label=_("社区"), max_length=20, required=False)
    title = forms.CharField(label=_("活动名称"), max_length=100, required=False)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    starts_at = _moment(pgettext_lazy("field label", "开始时间"))
    ends_at = _moment(pgettext_lazy("field label", "结束时间"))
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=100_000)
    signup_opens_at = _moment(pgettext_lazy("field label", "报名开始"))
    signup_closes_at = _moment(pgettext_lazy("field label", "报名截止"))
    project = VisibleField(label=_("所属项目"), required=False)
    team = VisibleField(label=_("服务队"), required=False)
    description = forms.CharField(label=_("介绍"), max_length=MAX_TEXT, required=False)

    def __init__(self, *args, projects=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["team"].queryset = teams


class ActivityCancelForm(forms.Form):
    """Cancelling an activity; the service asks for the reason the people signed up read."""

    reason = forms.CharField(label=_("取消原因"), max_length=500, required=False)


class OrderForm(forms.Form):
    """Dispatching a service order for an accepted need to a member or a team (each named
    through what the dispatcher sees; the service keeps the rules)."""

    need = VisibleField(label=_("需求"))
    member = VisibleField(label=_("党员"), required=False)
    team = VisibleField(label=_("服务队"), required=False)
    due_at = _moment(_("服务时间"))
    address = forms.CharField(label=_("服务地点"), max_length=200, required=False)

    def __init__(self, *args, needs=None, members=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs
        self.fields["member"].queryset = members
        self.fields["team"].queryset = teams


class WishReviewForm(forms.Form):
    """Putting a wish on the wall or declining it; the service asks for the reason of a
    decline, which the resident reads."""

    approve = forms.TypedChoiceField(
        label=_("审核结果"), choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class OrderCancelForm(forms.Form):
    """The community withdraws an order, with a reason; the version is the one the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)

    def __init__(self, data=None, **kwargs):
        # The page's field is called "note".
        if data is not None:
            data = {"version": data.get("version"), "reason": data.get("note", "")}
        super().__init__(data, **kwargs)


class OrderRedispatchForm(forms.Form):
    """A declined order goes to another member or team, at the same time or a new one."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    member = VisibleField(label=_("党员"), required=False)
    team = VisibleField(label=_("服务队"), required=False)
    due_at = _moment(_("服务时间"))

    def __init__(self, *args, members=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["team"].queryset = teams


class PhoneNeedForm(forms.Form):
    """A resident posts a need from the phone (the service words a missing title)."""

    title = forms.CharField(label=_("需求"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("description", "说明"), max_length=MAX_TEXT, required=False
    )


class WishForm(forms.Form):
    """A resident posts a micro-wish from the phone; the service bounds its value and checks
    the photo."""

    title = forms.CharField(label=_("心愿"), max_length=100, required=False)
    value = forms.CharField(label=_("大约价值（元）"), max_length=20, required=False)
    description = forms.CharField(label=_("说明（可不填）"), max_length=500, required=False)
    photo = forms.FileField(label=_("照片（可不填）"), required=False)


class RatingForm(forms.Form):
    """A participant rates an activity from the phone (1 to 5 stars, a comment if they like)."""

    rating = forms.TypedChoiceField(
        label=_("评分"), choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int
    )
    comment = forms.CharField(label=_("说说感受（可不填）"), max_length=500, required=False)

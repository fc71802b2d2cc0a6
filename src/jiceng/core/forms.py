"""The one way a page handles what a form posts (CONVENTIONS.md "Form input").

A Django form parses and bounds the input; the service validates and writes; ``submit`` runs the
service only on a valid form and puts a refusal the service raises on the form, so that the page
is drawn again with every error in the user's language and with what the person typed, and
nothing has changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.inputs import day_out_of_range_message, in_day_range
from jiceng.core.scope import visible_or_404

T = TypeVar("T")


def submit(form: forms.Form, action: Callable[[dict[str, Any]], T]) -> T | None:
    """``action(form.cleaned_data)`` when the form is valid, and its result; otherwise None with
    the errors on the form. A ``UserError`` from the action goes on its field when the form has
    that field (else on the whole form); ``Forbidden`` and ``NotFound`` stay a 403 and a 404."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except (Forbidden, NotFound):
        raise
    except UserError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _in_day_range(value) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if day is not None and not in_day_range(day):
        raise ValidationError(day_out_of_range_message(), code="day_range")


class DayField(forms.DateField):
    """A date in the range the platform accepts anywhere (core.inputs: 1900–2100)."""

    default_validators = [_in_day_range]


class MomentField(forms.DateTimeField):
    """A date and time on a day in the range the platform accepts (core.inputs: 1900–2100)."""

    default_validators = [_in_day_range]


class DeadlineForm(forms.Form):
    """The calendar page's deadline calculator: a start and a number of working hours (ten
    years of hours at most, so that the count ends; a negative number is the calendar's to
    refuse)."""

    start = MomentField(label=_("开始时间"))
    hours = forms.DecimalField(
        label=_("工作小时数"), max_digits=9, decimal_places=2, max_value=87_600, min_value=-87_600
    )


class VisibleField(forms.CharField):
    """An id that names a record, resolved through what the viewer may see: the value is the
    record. Absent, elsewhere, malformed or out of range is a 404 with one message
    (``core.scope.visible_or_404``), never a form error that would tell them apart. Give the
    ``queryset`` when the form is made: it depends on the viewer."""

    def __init__(self, *, queryset=None, message=None, **kwargs):
        super().__init__(**kwargs)
        self.queryset, self.message = queryset, message

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return visible_or_404(self.queryset, str(self.message) if self.message else None, pk=value)

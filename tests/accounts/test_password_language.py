"""A refused password is explained in one language (issue 19: the Chinese message mixed in
Django's English length rule, whose new wording its Chinese catalogue lacks)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from jiceng.accounts import services
from jiceng.core.errors import UserError

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("password", ["abc12", "password", "wangwei1"])
def test_a_refused_password_is_explained_in_the_readers_language(password):
    for lang in ("zh-hans", "en"):
        with translation.override(lang), pytest.raises(UserError) as refused:
            services.user_create(username="wangwei", full_name="王伟", password=password, by=None)
        message = refused.value.message
        if lang == "zh-hans":
            assert CJK.search(message) and not re.search(r"[A-Za-z]{3,}", message), message
        else:
            assert not CJK.search(message), message
    assert "8" in message or "common" in message or "username" in message

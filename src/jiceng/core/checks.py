"""System checks for settings that only bite in production."""

from __future__ import annotations

import os

from django.core.checks import Warning, register


@register(deploy=True)
def lookup_hash_key_is_set(app_configs, **kwargs):
    """With JICENG_FIELD_KEY set but no JICENG_HASH_KEY, each machine would make its own hash key
    in its var/ and could not find people by ID or phone written by another machine."""
    has = {name: bool(os.environ.get(name) or os.environ.get(f"{name}_FILE")) for name in (
        "JICENG_FIELD_KEY", "JICENG_HASH_KEY")}  # fmt: skip
    if has["JICENG_FIELD_KEY"] and not has["JICENG_HASH_KEY"]:
        return [
            Warning(
                "JICENG_FIELD_KEY is set but JICENG_HASH_KEY is not: every machine makes its own "
                "lookup-hash key in var/, and searches by ID or phone miss what others wrote.",
                hint="Set JICENG_HASH_KEY (a long random secret, not the field key) everywhere.",
                id="jiceng.W001",
            )
        ]
    return []

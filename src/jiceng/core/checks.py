"""System checks for settings that only bite in production."""

from __future__ import annotations

import os

from django.core.checks import Error, Warning, register


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


@register()
def uploads_are_not_in_a_public_folder(app_configs, **kwargs):
    """Uploads are personal data served only through core.uploads.serve: a MEDIA_ROOT inside a
    folder the static files come from (or holding one) would publish them to anyone."""
    from pathlib import Path

    from django.conf import settings

    media = Path(settings.MEDIA_ROOT).resolve()
    public = [Path(settings.STATIC_ROOT), *(Path(d) for d in settings.STATICFILES_DIRS)]
    for folder in (p.resolve() for p in public):
        if media == folder or folder in media.parents or media in folder.parents:
            return [
                Error(
                    f"MEDIA_ROOT ({media}) overlaps the public static folder {folder}: uploaded "
                    "photos would be served to anyone.",
                    hint="Keep MEDIA_ROOT outside STATIC_ROOT and the static folders.",
                    id="jiceng.uploads.E001",
                )
            ]
    return []

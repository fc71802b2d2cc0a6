"""The WSGI application gunicorn serves (`jiceng serve`)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_what_the_worker_loaded_is_frozen_for_the_garbage_collector():
    """Unfrozen, a full garbage-collector pass walked all of Django and the apps and held every
    thread of a busy worker for 130–450 ms (the slowest requests of the load benchmarks); the
    application, its apps and URL patterns are frozen once loaded, and a full pass afterwards
    walks only what requests made."""
    probe = (
        "import gc; import jiceng.wsgi; from django.urls import resolve;"
        "frozen = gc.get_freeze_count(); resolve('/livez');"
        "print(frozen, len(gc.get_objects()))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiceng.settings"}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, walked = int(out[0]), int(out[1])
    # Django, the apps and their URL patterns: hundreds of thousands of objects, frozen; what a
    # full pass still walks is a small part of it
    assert frozen > 100_000 and walked < frozen / 5, (frozen, walked)

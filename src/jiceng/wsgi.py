import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
application = get_wsgi_application()

# What is loaded now (Django, every app's modules, the URL patterns) lives as long as the worker.
# Frozen, the garbage collector no longer walks it on each full pass: unfrozen, a full pass took
# 130–450 ms on a busy worker, and every request on that worker's threads waited for it (the
# slowest sign-ups and page loads of the load benchmarks, issue 17).
get_resolver().url_patterns  # noqa: B018 (imports every app's urls before the freeze)
gc.freeze()

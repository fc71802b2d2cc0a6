"""The page guard of the console: every page of every app is wrapped in ``page(key)``.

The rule it applies (logged in, a second factor where the role needs one, the role's page table)
belongs to ``accounts``, which sits above ``core`` and ``geo`` (DESIGN.md, "Layers"); accounts
installs its check here when Django starts, so that core's and geo's own pages are guarded by the
same rule without importing accounts. Until a check is installed every guarded page refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

#: ``check(request, key)`` -> None to let the request through, or the response to answer with
#: (a redirect to the login page); raises PermissionDenied for a role the page is not for.
PageCheck = Callable[[HttpRequest, str | None], HttpResponse | None]

_check: PageCheck | None = None


def install_page_check(check: PageCheck) -> None:
    """Called once by accounts at start-up."""
    global _check
    _check = check


def page(key: str | None = None):
    """Guard a page with the installed check; ``key`` names the page in the navigation table
    (None: any signed-in person)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if _check is None:
                raise ImproperlyConfigured("no page check installed (accounts installs it)")
            refused = _check(request, key)
            if refused is not None:
                return refused
            return view(request, *args, **kwargs)

        return wrapper

    return decorate

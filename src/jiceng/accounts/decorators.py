"""The page guard: logged in, second factor where the role needs it, and the role's page table."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from jiceng.accounts.permissions import page_allowed


def page(key: str | None = None):
    """Guard a page: anonymous -> login; administrators without a verified second factor ->
    login again; a role the page is not for -> 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.needs_otp and not user.is_verified():
                logout(request)
                return redirect_to_login(request.get_full_path())
            if key is not None and not page_allowed(user, key):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate

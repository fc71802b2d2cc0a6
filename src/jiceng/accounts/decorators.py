"""The page guard's rule: logged in, second factor where the role needs it, and the role's page
table. The guard itself is ``core.pages.page`` (so that core's and geo's pages can use it);
``AccountsConfig.ready`` installs ``check_page`` into it."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from jiceng.accounts.permissions import page_allowed
from jiceng.core.pages import page

__all__ = ["check_page", "page"]


def check_page(request, key: str | None):
    """Anonymous -> login; administrators without a verified second factor -> login again; a
    role the page is not for -> 403; otherwise None (the page may answer)."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.needs_otp and not user.is_verified():
        logout(request)
        return redirect_to_login(request.get_full_path())
    if key is not None and not page_allowed(user, key):
        raise PermissionDenied
    return None

"""Staff sessions end after the idle time (等保三级); residents on phones stay logged in."""

from __future__ import annotations

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class StaffIdleTimeoutMiddleware:
    # Refresh the sliding expiry at most once a minute, so that not every request writes.
    TOUCH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff_role:
            now = int(time.time())
            if now - request.session.get("_idle_touch", 0) >= self.TOUCH_SECONDS:
                request.session["_idle_touch"] = now
                request.session.set_expiry(settings.STAFF_IDLE_SECONDS)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account with a one-time password reaches only the password form (and logout) until
    its owner has chosen a password; an administrator has passed the second factor first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            path = request.path_info
            if path not in allowed and not path.startswith(settings.STATIC_URL):
                return redirect("accounts:password_change")
        return self.get_response(request)

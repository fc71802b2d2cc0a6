"""Turns a UserError raised anywhere in a page into a 4xx page with the user's message."""

from __future__ import annotations

from django.shortcuts import render

from jiceng.core.errors import UserError


class UserErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UserError):
            return render(
                request,
                "error.html",
                {"message": exception.message, "status": exception.status},
                status=exception.status,
            )
        return None

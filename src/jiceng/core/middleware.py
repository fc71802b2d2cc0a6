"""Turns a UserError raised anywhere in a page into a 4xx page with the user's message."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

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


class LanguageMiddleware:
    """Simplified Chinese unless the person chose another language (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a Chinese district's
    platform speaks Chinese first, whatever language the phone is set to.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

"""Request-wide middleware: the person's language, refused input (NUL bytes and lone surrogates in
any part of a request), and a UserError raised anywhere in a page turned into a 4xx page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

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


# A NUL byte (PostgreSQL refuses it in text) or a lone UTF-16 surrogate (no UTF-8 encoding exists
# for it, so neither database can store it): never meaningful in a person's input.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class InputCheckMiddleware:
    """Refuses a request whose path, query string, form fields, file names or JSON body carry a
    NUL byte or a lone surrogate: a 400 with a clear message, before any view (or write) runs.
    One place for every page and every API call, instead of a check in each field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._unstorable(request):
            message = _("输入中含有无法保存的字符（空字符或不成对的代理字符），请删除后重试。")
            if request.path.startswith("/api/") or request.path.startswith("/open311/"):
                return JsonResponse({"detail": message}, status=400)
            return render(request, "error.html", {"message": message, "status": 400}, status=400)
        return self.get_response(request)

    def _unstorable(self, request) -> bool:
        if _UNSTORABLE.search(request.path):
            return True
        for data in (request.GET, self._form(request)):
            for key, values in data.lists():
                if _UNSTORABLE.search(key) or any(_UNSTORABLE.search(v) for v in values):
                    return True
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.content_type.startswith("multipart/"):
                for upload in request.FILES.values():
                    if _UNSTORABLE.search(upload.name or ""):
                        return True
            elif request.content_type != "application/x-www-form-urlencoded":
                # JSON whatever the declared type: the API parses any body as JSON
                try:
                    document = json.loads(request.body or b"null")
                except ValueError:
                    return False  # not JSON: the API answers that itself
                return any(_UNSTORABLE.search(s) for s in _strings(document))
        return False

    @staticmethod
    def _form(request):
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return request.POST
        return QueryDict()

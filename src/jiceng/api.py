"""The JSON API (django-ninja): every app's router from its registration (its manifest.py
declares the prefix); this file names no app. OpenAPI at /api/docs."""

from __future__ import annotations

from django.http import Http404
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from jiceng.core.errors import UserError
from jiceng.core.inputs import error_message, field_of
from jiceng.core.registry import api_mounts

api = NinjaAPI(
    title="基层治理平台 API",
    version="1",
    description="jiceng: 党建引领基层治理平台的接口。登录后的会话即可调用（同源）。",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(UserError)
def user_error(request, exc: UserError):
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    """Input the schema refuses (a wrong type, a number or date out of bounds): 422 with the
    first problem worded for the person in ``detail``, every problem in ``errors``."""
    errors = [{"field": field_of(e), "message": error_message(e)} for e in exc.errors]
    body = {"detail": errors[0]["message"] if errors else error_message({}), "errors": errors}
    if errors and errors[0]["field"]:
        body["field"] = errors[0]["field"]
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "未找到，或不在您的管辖范围内。"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "请先登录。"}, status=401)


for mount in api_mounts():
    router = import_string(mount.router) if isinstance(mount.router, str) else mount.router
    api.add_router(mount.prefix, router)

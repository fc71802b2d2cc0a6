"""Uploaded files: how much one request may carry, and serving a stored file only to a viewer
who may see the record it belongs to.

Photos of residents' problems, wishes and meetings are personal data. Nothing under MEDIA_ROOT
is reachable except through ``serve``: it asks the app that declared the file's folder
(``core.registry.register_uploads``) whether the viewer may see the record that holds the file,
and answers 404, worded like any missing object, otherwise. A file's name is never the
protection: the check is. The embedded default streams the file itself; behind nginx, with
``JICENG_MEDIA_ACCEL_REDIRECT`` set, the view answers with ``X-Accel-Redirect`` and nginx sends
the bytes from an ``internal`` location (README, "Uploaded files").
"""

from __future__ import annotations

import mimetypes
import posixpath
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation, TooManyFilesSent
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jiceng.core.errors import NotFound
from jiceng.core.registry import upload_visible

# A stored file changes only by being replaced under a new name; the viewer's own browser may
# keep it a while, no shared cache may (it is personal data).
CACHE_CONTROL = "private, max-age=3600"


def _not_found() -> NotFound:
    return NotFound(_("没有找到，或不在您可以查看的范围内。"))


def _clean(name: str) -> str | None:
    """The stored name the URL asks for, or None when it cannot name a stored file."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return None
    if posixpath.normpath(name) != name or name.split("/")[0] == "..":
        return None
    return name


@require_safe
def serve(request, name: str):
    """One uploaded file, for a viewer who may see the record it belongs to; 404 otherwise."""
    name = _clean(name) or ""
    user = request.user
    if not name or not user.is_authenticated or not upload_visible(user, name):
        raise _not_found()
    return file_response(name)


# A signed link to one file lives this long: enough for a client to fetch what it was just told
# of, too short to pass around.
SIGNED_SECONDS = 15 * 60
_SALT = "jiceng.uploads.signed"


def signed_url(request, name: str) -> str:
    """An absolute link to one file for a reader without a session (an Open311 client), made
    only by code that has just checked that the reader may see the file's record."""
    token = signing.dumps(name, salt=_SALT, compress=True)
    return request.build_absolute_uri(reverse("uploads-signed", args=[token]))


@require_safe
def serve_signed(request, token: str):
    """The file a signed link names, while the link is fresh; 404 for anything else."""
    try:
        name = signing.loads(token, salt=_SALT, max_age=SIGNED_SECONDS)
    except signing.BadSignature:  # tampered, made with another key, or expired
        raise _not_found() from None
    name = _clean(name) if isinstance(name, str) else None
    if not name:
        raise _not_found()
    return file_response(name)


def file_response(name: str) -> HttpResponse:
    """The stored file, streamed, or handed to the web server (X-Accel-Redirect); the caller
    has decided that the reader may have it."""
    try:
        path = default_storage.path(name)
    except (SuspiciousFileOperation, NotImplementedError):
        raise _not_found() from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    accel = settings.MEDIA_ACCEL_REDIRECT
    if accel:
        if not default_storage.exists(name):
            raise _not_found()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    else:
        try:
            response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise _not_found() from None
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    if not content_type.startswith("image/"):
        # Only photos are shown in the page; anything else is downloaded, never rendered here.
        response["Content-Disposition"] = "attachment"
    return response


class UploadLimitMiddleware:
    """Bounds what one request may upload before its body is read: the bytes
    (``JICENG_MAX_REQUEST_MB``) and the number of files (``DATA_UPLOAD_MAX_NUMBER_FILES``), with a
    message in the user's language instead of a bare "Bad Request"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"POST", "PUT", "PATCH"}:
            refused = self._refused(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refused(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        most = settings.MAX_REQUEST_BYTES
        if length > most:
            message = _("上传的内容过大（超过 {most} MB），请少传几个文件或缩小后再传。").format(
                most=most // (1024 * 1024)
            )
            return self._answer(request, message, 413)
        if request.content_type == "multipart/form-data":
            try:
                request.FILES  # noqa: B018 - parse here, where a refusal can be worded
            except TooManyFilesSent:
                message = _("一次最多上传 {most} 个文件。").format(
                    most=settings.DATA_UPLOAD_MAX_NUMBER_FILES
                )
                return self._answer(request, message, 400)
        return None

    @staticmethod
    def _answer(request, message: str, status: int):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=status)
        return render(request, "error.html", {"message": message, "status": status}, status=status)


def keep_days() -> int:
    """Days an uploaded import file is kept (``JICENG_IMPORT_KEEP_DAYS``)."""
    return int(getattr(settings, "JICENG_IMPORT_KEEP_DAYS", 30))


def purge_kept_files(queryset, *, now=None) -> int:
    """Remove the stored files (``path``) of the imports in ``queryset`` older than the keeping
    period, and note when (``purged_at``); the records and their audit entries stay."""
    now = now or timezone.now()
    old = queryset.filter(
        created_at__lt=now - timedelta(days=keep_days()), purged_at__isnull=True
    ).exclude(path="")
    count = 0
    for pk, path in old.values_list("pk", "path"):
        Path(path).unlink(missing_ok=True)
        queryset.model.objects.filter(pk=pk).update(path="", purged_at=now)
        count += 1
    return count

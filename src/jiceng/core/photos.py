"""Checking and resizing uploaded photos: by their content, never by their name."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jiceng.core.errors import UserError

MAX_PHOTOS = 9
MAX_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP"}
Image.MAX_IMAGE_PIXELS = 60_000_000  # refuse decompression bombs


def prepare_photos(files: list[Any]) -> list[ContentFile]:
    """Check every upload is a JPEG, PNG or WebP image and return resized JPEG copies
    (metadata such as the phone's GPS position dropped). One bad file refuses them all."""
    files = [f for f in files if f]
    if len(files) > MAX_PHOTOS:
        raise UserError(
            _("最多上传 {most} 张照片（现有 {n} 张）。").format(most=MAX_PHOTOS, n=len(files)),
            field="photos",
        )
    prepared = []
    for number, upload in enumerate(files, start=1):
        name = getattr(upload, "name", f"{number}")
        if getattr(upload, "size", 0) > MAX_BYTES:
            raise UserError(
                _("第 {number} 张照片“{name}”超过 15 MB。").format(number=number, name=name),
                field="photos",
            )
        data = upload.read()
        try:
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                probe.verify()
            if kind not in FORMATS:
                raise UserError(
                    _("第 {number} 张照片“{name}”不是 JPEG、PNG 或 WebP 图片。").format(
                        number=number, name=name
                    ),
                    field="photos",
                )
            with Image.open(io.BytesIO(data)) as image:
                image = ImageOps.exif_transpose(image).convert("RGB")
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                image.save(out, "JPEG", quality=85, optimize=True)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise UserError(
                _("第 {number} 张照片“{name}”不是可识别的图片。").format(number=number, name=name),
                field="photos",
            ) from exc
        prepared.append(ContentFile(out.getvalue(), name=f"{number}.jpg"))
    return prepared

"""Checking and resizing uploaded photos: by their content, never by their name.

An image's size is read from its header before anything is decoded: a few kilobytes of PNG can
claim 10,900 x 10,900 pixels and, decoded, hold a worker for seconds and take gigabytes. Such a
file is refused by its pixel count, with a message, before Pillow decodes a single row.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jiceng.core.errors import UserError

MAX_PHOTOS = 9
MAX_BYTES = 15 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # all the photos of one request together
# A 48-megapixel phone photo (8000 x 6000) passes; anything larger is refused undecoded.
MAX_PIXELS = 50_000_000
MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP"}
# Pillow raises DecompressionBombError above twice MAX_IMAGE_PIXELS and only warns below: set so
# that it raises at our limit wherever an image is opened in the process, and silence the warning
# band beneath it (those are photos we accept).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS // 2
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def _too_many_pixels(number: int, name: str) -> UserError:
    return UserError(
        _(
            "第 {number} 张照片“{name}”像素过多（上限 {megapixels} 百万像素），"
            "请换一张或缩小后再传。"
        ).format(number=number, name=name, megapixels=MAX_PIXELS // 1_000_000),
        field="photos",
    )


def prepare_photos(files: list[Any]) -> list[ContentFile]:
    """Check every upload is a JPEG, PNG or WebP image and return resized JPEG copies
    (metadata such as the phone's GPS position dropped). One bad file refuses them all."""
    files = [f for f in files if f]
    if len(files) > MAX_PHOTOS:
        raise UserError(
            _("最多上传 {most} 张照片（现有 {n} 张）。").format(most=MAX_PHOTOS, n=len(files)),
            field="photos",
        )
    if sum(getattr(f, "size", 0) or 0 for f in files) > MAX_TOTAL_BYTES:
        raise UserError(
            _("照片合计超过 {most} MB，请少传几张或缩小后再传。").format(
                most=MAX_TOTAL_BYTES // (1024 * 1024)
            ),
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
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:  # an upload that did not tell its size
            raise UserError(
                _("第 {number} 张照片“{name}”超过 15 MB。").format(number=number, name=name),
                field="photos",
            )
        try:
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                kind = probe.format
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(number, name)
                probe.verify()
            if kind not in FORMATS:
                raise UserError(
                    _("第 {number} 张照片“{name}”不是 JPEG、PNG 或 WebP 图片。").format(
                        number=number, name=name
                    ),
                    field="photos",
                )
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # a JPEG decodes at 1/2, 1/4 or 1/8
                image = ImageOps.exif_transpose(image).convert("RGB")
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                image.save(out, "JPEG", quality=85, optimize=True)
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels(number, name) from exc
        except (UnidentifiedImageError, OSError) as exc:
            raise UserError(
                _("第 {number} 张照片“{name}”不是可识别的图片。").format(number=number, name=name),
                field="photos",
            ) from exc
        prepared.append(ContentFile(out.getvalue(), name=f"{number}.jpg"))
    return prepared

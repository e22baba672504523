"""Avatar processing with Pillow.

The upload is checked (size, format, pixel count) before any pixel is decoded, then
decoded once, EXIF-orientated, cropped square and re-encoded into fresh JPEG
thumbnails. Only the thumbnails reach storage; the original bytes (and their EXIF,
GPS position included) are dropped.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from profiles.error_codes import ProfileErrorCode

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP"}
SIZES = {"large": 256, "small": 64}
# What is kept of the upload before cropping: twice the largest size, for a sharp downscale.
DECODE_SIZE = 512


@dataclass(frozen=True)
class Avatar:
    large: ContentFile
    small: ContentFile


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"avatar": ValidationError(message, code=code)})


def process_avatar(upload) -> Avatar:  # upload: a Django UploadedFile or any binary file object
    # A JSON client can put any value (a string, a number) in an `Upload` variable.
    if not all(hasattr(upload, attr) for attr in ("read", "seek")):
        raise _refuse("Send the avatar as a file (GraphQL multipart request).", ProfileErrorCode.INVALID_IMAGE)
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > settings.AVATAR_MAX_BYTES:
        raise _refuse(
            f"The image is larger than {settings.AVATAR_MAX_BYTES // (1024 * 1024)} MB.",
            ProfileErrorCode.FILE_TOO_LARGE,
        )
    if size == 0:
        raise _refuse("The file is empty.", ProfileErrorCode.INVALID_IMAGE)
    upload.seek(0)
    data = upload.read(settings.AVATAR_MAX_BYTES + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise _refuse("Upload a PNG, JPEG or WebP image.", ProfileErrorCode.UNSUPPORTED_IMAGE_TYPE)
            width, height = image.size
            # Checked on the header, before decoding: a 50,000 x 50,000 PNG of a few KB would
            # otherwise need gigabytes of memory. A JPEG is decoded scaled down by libjpeg (`draft`: 1/2 to 1/8,
            # the smallest scale still >= DECODE_SIZE), so only its header size is bounded by AVATAR_MAX_PIXELS;
            # PNG and WebP decode at full size, hence their lower AVATAR_MAX_DECODED_PIXELS (a 6300 x 6300 PNG
            # cost ~170 MB while decoding).
            limit = settings.AVATAR_MAX_PIXELS if image.format == "JPEG" else settings.AVATAR_MAX_DECODED_PIXELS
            if width * height > limit or width > 12000 or height > 12000:
                raise _refuse("The image has too many pixels.", ProfileErrorCode.IMAGE_TOO_LARGE)
            if image.format == "JPEG":
                image.draft("RGB", (DECODE_SIZE, DECODE_SIZE))
            image.load()
            image = ImageOps.exif_transpose(image)
            # Shrunk (shorter side to DECODE_SIZE) before the colour conversions below, each of which copies it.
            shorter = min(image.size)
            if shorter > DECODE_SIZE:
                w, h = image.size
                scaled = (max(1, round(w * DECODE_SIZE / shorter)), max(1, round(h * DECODE_SIZE / shorter)))
                image = image.resize(scaled, Image.Resampling.LANCZOS, reducing_gap=2.0)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("The image has too many pixels.", ProfileErrorCode.IMAGE_TOO_LARGE) from None
    except Exception:  # Pillow raises many types for corrupt or non-image data
        raise _refuse("The file is not a readable PNG, JPEG or WebP image.", ProfileErrorCode.INVALID_IMAGE) from None

    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    square = ImageOps.fit(image, (SIZES["large"], SIZES["large"]), method=Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    files = {}
    for name, px in SIZES.items():
        out = io.BytesIO()
        square.resize((px, px), Image.Resampling.LANCZOS).save(out, format="JPEG", quality=85, optimize=True)
        files[name] = ContentFile(out.getvalue(), name=f"{stem}-{px}.jpg")
    return Avatar(large=files["large"], small=files["small"])

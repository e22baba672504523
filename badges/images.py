"""Badge images: decoded once with Pillow and re-encoded as a bounded PNG thumbnail.

Only PNG input is accepted (the BadgeClass image the verifier fetched, or a baked PNG upload). Re-encoding drops every
ancillary chunk, so the stored thumbnail no longer carries the baked assertion (and its recipient identity). SVG is
not rasterised (Pillow cannot, and serving member-supplied SVG from our origin would be a script vector): such a
badge simply has no image.
"""

from __future__ import annotations

import io
import logging
import uuid
import warnings

from django.core.files.base import ContentFile
from PIL import Image

log = logging.getLogger(__name__)

MAX_SIDE = 256
MAX_PIXELS = 25_000_000  # checked on the header, before any pixel is decoded
MAX_INPUT_BYTES = 5_000_000


def thumbnail(data: bytes | None) -> ContentFile | None:
    """A PNG of at most MAX_SIDE x MAX_SIDE from PNG `data`, or None when it is not a usable PNG."""
    if not data or len(data) > MAX_INPUT_BYTES or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=["PNG"])
            width, height = image.size
            if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                return None
            image.load()
            image = image.convert("RGBA")
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except Exception:  # Pillow raises many types for damaged or hostile data; a badge without image is fine
        log.info("badge image could not be re-encoded", exc_info=True)
        return None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.png")

"""The badge import page's check before anything is stored (docs/badges.md, "Checked before storing").

`importBadge` (GraphQL) stores a PENDING badge and lets the verifier report everything about its content as a
FAILED badge with codes. A person on the import page expects to hear at once that what they gave is not a badge
at all, so the page first runs this: pasted text must be JSON, a compact JWS or a URL; an image must be a PNG or
SVG with a badge baked into it; a URL must answer (fetched through the same guarded fetcher as verification,
private addresses refused). A refusal is a ValidationError on that field with the verifier's code; nothing is
written. Whether the badge then verifies is still the verifier's to say.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from badges.openbadges import codes
from badges.openbadges.extract import extract_image, parse_text
from badges.openbadges.fetcher import IMAGE_LIMIT
from badges.openbadges.model import BadgeError

ACCEPT = "application/ld+json, application/json;q=0.9, image/png;q=0.8, image/svg+xml;q=0.8, */*;q=0.1"


def _refuse(field: str, exc: BadgeError, prefix: str = "") -> ValidationError:
    return ValidationError({field: ValidationError(prefix + exc.message, code=exc.code)})


def precheck_source(*, url: str | None = None, assertion: str | None = None, image: Any = None) -> None:
    """Raise a ValidationError (field and code) when the one given source is recognisably not a badge or a URL
    that cannot be reached. `image` is an uploaded file; it is rewound for the import that follows."""
    if assertion:
        try:
            parse_text(assertion)
        except BadgeError as exc:
            code = exc.code
            if code == codes.INPUT_UNRECOGNISED or code not in codes.MESSAGES:
                exc = BadgeError(
                    codes.INPUT_UNRECOGNISED,
                    "This is not a badge: paste the assertion's JSON, a compact JWS (xxx.yyy.zzz) or its URL.",
                )
            raise _refuse("assertion", exc) from None
    elif image is not None:
        data = image.read()
        image.seek(0)
        try:
            extract_image(bytes(data))
        except BadgeError as exc:
            raise _refuse("image", exc, "No badge found in this file: ") from None
    elif url:
        from badges.services import make_fetcher

        fetcher = make_fetcher()
        try:
            fetcher.fetch(url, max_bytes=IMAGE_LIMIT, accept=ACCEPT)
        except BadgeError as exc:
            raise _refuse("url", exc, "This URL could not be fetched: ") from None

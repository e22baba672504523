"""The signed one-click link of a "Still true?" request (e-mailed to the endorser and in their notification).

The link names one endorsement and its endorser, and expires after settings.RECONFIRM_LINK_DAYS: holding it is
enough to re-confirm that endorsement (the e-mail reached the endorser), never to withdraw it or to act on any
other. The page it opens asks for one click (a POST), so mail scanners that fetch links re-confirm nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

_SALT = "vouch.endorsements.reconfirm"


def make_token(endorsement_id: int, endorser_id: int) -> str:
    return signing.dumps([endorsement_id, endorser_id], salt=_SALT, compress=False)


def read_token(token: str) -> tuple[int, int] | None:
    """(endorsement id, endorser id), or None for a bad, changed or expired link."""
    if not isinstance(token, str) or len(token) > 200:
        return None
    try:
        value = signing.loads(token, salt=_SALT, max_age=settings.RECONFIRM_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return None
    return value[0], value[1]


def reconfirm_path(endorsement_id: int, endorser_id: int) -> str:
    return f"/reconfirm/{make_token(endorsement_id, endorser_id)}/"

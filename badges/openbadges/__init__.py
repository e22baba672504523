"""Open Badges verification core for Vouch (pure Python, no Django).

Public API::

    from badges.openbadges import BadgeSource, Fetcher, verify

    fetcher = Fetcher.from_setting(settings.BADGE_FETCH_ALLOWED_HOSTS)
    result = verify(BadgeSource.from_url(url), fetcher=fetcher, now=timezone.now(), identities=verified_emails)
    result.status, result.errors, result.to_report()

See docs/openbadges.md.
"""

from __future__ import annotations

from . import codes
from .extract import Extracted, extract
from .fetcher import Fetcher, FetchError, FetchResponse
from .model import STATUSES, BadgeError, BadgeSource, Check, VerificationResult
from .verifier import verify

__all__ = [
    "STATUSES",
    "BadgeError",
    "BadgeSource",
    "Check",
    "Extracted",
    "FetchError",
    "FetchResponse",
    "Fetcher",
    "VerificationResult",
    "codes",
    "extract",
    "verify",
]

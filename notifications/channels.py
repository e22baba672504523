"""Where each notification kind goes (docs/notifications.md, "E-mail").

Per kind a member chooses one channel (GraphQL `NotificationChannel`, the settings page):

| channel | live (socket, bell) | e-mail |
| --- | --- | --- |
| `LIVE_ONLY` | yes | no |
| `EMAIL` | yes | one mail at once (skipped if already read when the job runs) |
| `DIGEST` | yes | in the next daily digest, unless read by then |
| `OFF` | no (still stored and listed) | no |

Defaults: a request for an endorsement is mailed at once (a person is waiting for an answer); answers,
endorsements received and badge outcomes go to the daily digest. Kinds added later without a default are live only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notifications.payloads import KINDS, Kind

LIVE_ONLY, EMAIL, DIGEST, OFF = "LIVE_ONLY", "EMAIL", "DIGEST", "OFF"
CHANNELS: tuple[str, ...] = (LIVE_ONLY, EMAIL, DIGEST, OFF)
CHANNEL_LABELS = {LIVE_ONLY: "Live only", EMAIL: "E-mail at once", DIGEST: "Daily digest", OFF: "Off"}

DEFAULT_CHANNELS: dict[str, str] = {
    Kind.ENDORSEMENT_REQUEST_RECEIVED: EMAIL,
    Kind.ENDORSEMENT_REQUEST_ANSWERED: DIGEST,
    Kind.ENDORSEMENT_RECEIVED: DIGEST,
    Kind.ENDORSEMENT_RECONFIRMATION_REQUESTED: EMAIL,
    Kind.ENDORSEMENT_RECONFIRMED: DIGEST,
    Kind.BADGE_VERIFIED: DIGEST,
    Kind.BADGE_FAILED: DIGEST,
    Kind.BADGE_REVOKED: DIGEST,
}
# Kinds that can be mailed at all (have templates).
MAILABLE: frozenset[str] = frozenset(DEFAULT_CHANNELS)


def channel_for(kind: str, stored: Mapping[str, Any] | None) -> str:
    value = (stored or {}).get(kind)
    if value in CHANNELS and (value in {LIVE_ONLY, OFF} or kind in MAILABLE):
        return str(value)
    return DEFAULT_CHANNELS.get(kind, LIVE_ONLY)


def all_channels(stored: Mapping[str, Any] | None) -> dict[str, str]:
    """Every kind's effective channel, sorted by kind."""
    return {kind: channel_for(kind, stored) for kind in sorted(KINDS)}

"""Endorsement operations (built by the endorsements feature)."""

from __future__ import annotations

from typing import Any


def reweigh_endorsements_by(endorser: Any) -> None:
    """Re-weigh every endorsement `endorser` gave (their seniority changed)."""
    return None

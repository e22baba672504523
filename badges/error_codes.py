"""The codes badges' services refuse with, beside vouch.errors.Code.

A verification's own codes (a report's checks) are badges/openbadges/codes.py."""

from __future__ import annotations

from enum import StrEnum


class BadgeErrorCode(StrEnum):
    DUPLICATE_BADGE = "DUPLICATE_BADGE"
    EXACTLY_ONE_SOURCE = "EXACTLY_ONE_SOURCE"  # importBadge: give one of url, assertion, image
    INPUT_TOO_LARGE = "INPUT_TOO_LARGE"
    INVALID_IMAGE = "INVALID_IMAGE"  # importBadge(image:) given something that is not a file
    TOO_MANY_BADGES = "TOO_MANY_BADGES"  # BADGE_MAX_PER_MEMBER reached
    URL_TOO_LONG = "URL_TOO_LONG"

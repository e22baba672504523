"""The codes the badge collections' services refuse with, beside vouch.errors.Code."""

from __future__ import annotations

from enum import StrEnum


class CollectionErrorCode(StrEnum):
    DUPLICATE_NAME = "DUPLICATE_NAME"  # the member has a collection of that name
    TOO_MANY_COLLECTIONS = "TOO_MANY_COLLECTIONS"  # MAX_COLLECTIONS reached

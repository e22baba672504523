"""The codes notifications' services refuse with, beside vouch.errors.Code."""

from __future__ import annotations

from enum import StrEnum


class NotificationErrorCode(StrEnum):
    IDS_OR_ALL_REQUIRED = "IDS_OR_ALL_REQUIRED"  # markNotificationsRead: ids or all
    UNKNOWN_KIND = "UNKNOWN_KIND"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"  # more channel entries than there are kinds
    NOT_MAILABLE = "NOT_MAILABLE"  # an e-mail channel for a kind never mailed

"""The codes endorsements' services refuse with, beside vouch.errors.Code."""

from __future__ import annotations

from enum import StrEnum


class EndorsementErrorCode(StrEnum):
    SELF_ENDORSEMENT = "SELF_ENDORSEMENT"
    SKILL_NOT_LISTED = "SKILL_NOT_LISTED"
    ENDORSEMENTS_OFF = "ENDORSEMENTS_OFF"  # the member turned endorsements off for the skill
    BLOCKED = "BLOCKED"  # one of the two blocked the other
    ALREADY_ENDORSED = "ALREADY_ENDORSED"
    ALREADY_REQUESTED = "ALREADY_REQUESTED"
    INVALID_STATE = "INVALID_STATE"  # a request no longer pending
    TOO_SOON = "TOO_SOON"  # a reminder before REMIND_AFTER (endorsements/reminders.py)
    ALREADY_REMINDED = "ALREADY_REMINDED"  # the one reminder of a request was sent
    ENDORSEMENT_NOT_ALLOWED = "ENDORSEMENT_NOT_ALLOWED"  # the member's "who may endorse me" refuses it
    TOO_RECENT = "TOO_RECENT"  # "Still true?" asked of an endorsement younger than RECONFIRM_AFTER_DAYS
    INVALID_LINK = "INVALID_LINK"  # a re-confirmation link that is bad, changed or expired

"""The codes skills' services refuse with, beside vouch.errors.Code."""

from __future__ import annotations

from enum import StrEnum


class SkillErrorCode(StrEnum):
    DUPLICATE_SKILL = "DUPLICATE_SKILL"  # the member lists it already
    TOO_MANY_SKILLS = "TOO_MANY_SKILLS"  # MAX_SKILLS_PER_MEMBER reached
    INCOMPLETE_ORDER = "INCOMPLETE_ORDER"  # a reorder that does not list every skill once
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    SKILL_NOT_ALLOWED = "SKILL_NOT_ALLOWED"  # a new name with a link or a blocked word

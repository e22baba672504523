"""Skill names: what is accepted and how spellings collapse to one key."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from skills.error_codes import SkillErrorCode
from vouch.errors import Code

MAX_LENGTH = 50
# Letters and digits of any script, spaces and the punctuation real skill names use
# (C++, C#, Node.js, CI/CD, R&D, Objective-C, "People's leadership").
_ALLOWED = re.compile(r"^[\w +#./&'()-]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")


def clean_name(raw: str, *, field: str = "name") -> str:
    """The display form of a submitted name: NFC, trimmed, inner spaces collapsed; refused if unfit."""
    if not isinstance(raw, str):
        raise ValidationError({field: ValidationError("Skill name must be text.", code=Code.INVALID)})
    name = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
    if not name:
        raise ValidationError({field: ValidationError("Skill name is empty.", code=Code.REQUIRED)})
    # The key is checked too: case folding can lengthen a name ("ß" -> "ss"), and a key over
    # the column's 50 characters would be a database error on PostgreSQL, not a payload error.
    if len(name) > MAX_LENGTH or len(key_for(name)) > MAX_LENGTH:
        raise ValidationError(
            {field: ValidationError(f"Skill names have at most {MAX_LENGTH} characters.", code=Code.MAX_LENGTH)}
        )
    if not _ALLOWED.match(name) or "_" in name or not any(ch.isalnum() for ch in name):
        raise ValidationError(
            {
                field: ValidationError(
                    "Use letters, digits, spaces and + # . / & ' ( ) - only.", code=SkillErrorCode.INVALID_CHARACTERS
                )
            }
        )
    return name


def key_for(name: str) -> str:
    """The matching key: case-folded, spaces collapsed. "Python ", "PYTHON" and "python" share one."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def slug_for(name: str) -> str:
    text = name.replace("++", " plus plus").replace("+", " plus").replace("#", " sharp").replace(".", " dot ")
    return slugify(text)[:50] or "skill"

"""The codes profiles' services (accounts, avatars, blocks, workplaces) refuse with, beside vouch.errors.Code."""

from __future__ import annotations

from enum import StrEnum


class ProfileErrorCode(StrEnum):
    WRONG_PASSWORD = "WRONG_PASSWORD"  # deleting the account: not the member's password
    INVALID_USERNAME = "INVALID_USERNAME"
    USERNAME_RESERVED = "USERNAME_RESERVED"
    EMAIL_IDNA_AMBIGUOUS = "EMAIL_IDNA_AMBIGUOUS"  # an address whose domain maps two ways (IDNA 2003 vs 2008)
    INVALID_IMAGE = "INVALID_IMAGE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UNSUPPORTED_IMAGE_TYPE = "UNSUPPORTED_IMAGE_TYPE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"  # too many pixels

from __future__ import annotations

import itertools

from profiles.models import Seniority, User
from profiles.services import create_member

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def make_member(
    username: str | None = None, *, seniority: str = Seniority.MID, verified: bool = True, **kwargs
) -> User:
    n = next(_seq)
    username = username or f"member{n}"
    return create_member(
        email=kwargs.pop("email", f"{username}@example.com"),
        username=username,
        password=PASSWORD,
        display_name=kwargs.pop("display_name", username.title()),
        seniority=seniority,
        verified=verified,
        **kwargs,
    )

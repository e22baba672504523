"""Demo badges (filled by the badges feature)."""

from __future__ import annotations

import random
from typing import Any


def seed(rng: random.Random, org: Any) -> None:
    return None

"""Demo endorsements and requests (filled by the endorsements feature)."""

from __future__ import annotations

import random
from typing import Any


def seed(rng: random.Random, org: Any) -> None:
    return None

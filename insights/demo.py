"""Demo demand for /insights/ (run by `seed_demo`): 90 days of synthetic, skewed searches and views over the demo
network's skills, rolled up day by day, so the charts show something on a fresh install. Synthetic visitors only
(keys "demo-…"): no real visitor is ever stored this way."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from insights.models import DemandSignal, SignalKind
from insights.services import _issuers, _neighbours, _roll_day, today

# Relative demand per day (visitors), rising for some skills; any listed skill not named gets a trickle.
DEMAND = {"Kubernetes": (4, 22), "Rust": (2, 14), "Security": (6, 12), "Python": (14, 16), "Go": (8, 6)}


def seed(rng: random.Random, org: Any = None) -> None:
    from skills.models import Skill

    end = today()
    skills = {s.name: s.pk for s in Skill.objects.filter(member_skills__isnull=False).distinct()}
    rows: list[DemandSignal] = []
    for back in range(89, -1, -1):
        day = end - timedelta(days=back)
        progress = (89 - back) / 89
        for name, pk in skills.items():
            start, finish = DEMAND.get(name, (1, 1))
            visitors = max(0, round(start + (finish - start) * progress + rng.uniform(-1.5, 1.5)))
            for i in range(visitors):
                kind = SignalKind.SEARCH if i % 3 else SignalKind.VIEW
                rows.append(DemandSignal(kind=kind, skill_id=pk, day=day, visitor=f"demo-{back}-{i}"))
    DemandSignal.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    for back in range(89, -1, -1):
        _roll_day(end - timedelta(days=back), supply=back == 0)
    _issuers(end)
    _neighbours()
    DemandSignal.objects.filter(visitor__startswith="demo-").delete()

"""Trust propagation (endorsements/trust.py): quality against planted groups, and cost at 100,000 members.

Quality, measured as SybilRank and Íntegro do: a synthetic network of HONEST members in a small-world
graph of organisations (each endorses colleagues, a few endorse across organisations; a tenth of the
organisations are verified: their members are the seeds), plus a PLANTED group of coordinated accounts
that endorse each other densely, all list the target skill and declare themselves executives who
managed each other, joined to the honest part by k attack edges (honest members endorsing planted
accounts, at random). Reported per k: the AUC with which trust ranks honest above planted accounts,
and the share of the target skill's top 100 held by planted accounts (scores from the real formula,
endorsements/weighting.py). Goals (issue 17): AUC >= 0.95 at 100 attack edges, no planted account in
the top 100 at 10.

Cost: one full recomputation (de-duplicate and index the edges, build the matrix, 60 iterations) on
100,000 members and 2,000,000 endorsements, beside one sparse matrix-vector product over the same
graph (the floor: the method cannot cost less than one pass). `TRUST_BENCH_SCALE=0.05 python -m bench trust` runs
the cost row at 5,000 members / 100,000 endorsements for a quick check.
"""

from __future__ import annotations

import os
import time

import numpy as np

from bench import BenchContext, Result, benchmark

HONEST = 10_000
ORG_SIZE = 50
PLANTED = 1_000
ATTACK_EDGES = (10, 100, 1_000)
SKILLS = 10
TARGET_SKILL = 0


def honest_graph(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(edges, org of each member): 6 colleagues each, 2 across organisations (small world)."""
    members = np.arange(n)
    org = members // ORG_SIZE
    colleagues = org[:, None] * ORG_SIZE + rng.integers(0, ORG_SIZE, size=(n, 6))
    local = np.stack([np.repeat(members, 6), np.minimum(colleagues.ravel(), n - 1)], axis=1)
    far = np.stack([np.repeat(members, 2), rng.integers(0, n, size=2 * n)], axis=1)
    edges = np.concatenate([local, far])
    return edges[edges[:, 0] != edges[:, 1]], org


def planted_graph(rng: np.random.Generator, start: int, size: int, per: int = 20) -> np.ndarray:
    src = np.repeat(np.arange(start, start + size), per)
    dst = start + rng.integers(0, size, size=size * per)
    edges = np.stack([src, dst], axis=1)
    # Dense and mutual, as rings are: every edge answered.
    edges = np.concatenate([edges, edges[:, ::-1]])
    return edges[edges[:, 0] != edges[:, 1]]


def _scores(
    edges: np.ndarray, trust: dict[int, float], seeds: set[int], skills: dict[int, list[int]], planted: set[int]
) -> dict[int, dict[int, float]]:
    """skill -> member -> score, with the real weighting (one endorsement per edge, for a skill the member lists)."""
    from endorsements import weighting

    breadth: dict[int, int] = {}
    pairs = {(int(u), int(v)) for u, v in edges}
    for u, _ in pairs:
        breadth[u] = breadth.get(u, 0) + 1
    trusted: dict[tuple[int, int], list[float]] = {}
    pooled: dict[tuple[int, int], list[float]] = {}
    for u, v in sorted(pairs):
        skill = skills[v][(u + v) % len(skills[v])]
        inputs = weighting.WeightInputs(
            seniority="EXECUTIVE" if u in planted else ("SENIOR" if u % 3 == 0 else "MID"),
            relationship="MANAGER" if u in planted else ("PEER" if u % 2 else "MANAGER"),
            lists_skill=skill in skills[u],
            trust=trust.get(u, 0.0),
            breadth=breadth[u],
            seniority_basis=weighting.COLLEAGUES if u in seeds else "",
            seed=u in seeds,
        )
        w = weighting.weigh(inputs)
        (trusted if w.established else pooled).setdefault((skill, v), []).append(w.weight)
    out: dict[int, dict[int, float]] = {}
    for skill, v in set(trusted) | set(pooled):
        out.setdefault(skill, {})[v] = weighting.score(trusted.get((skill, v), []), pooled.get((skill, v), []))
    return out


def quality(k: int, honest: int = HONEST, planted_n: int = PLANTED, seed: int = 17) -> dict[str, float]:
    from endorsements import trust as propagation

    rng = np.random.default_rng(seed)
    h_edges, org = honest_graph(rng, honest)
    verified_orgs = set(range(0, int(org.max()) + 1, 10))
    seeds = {int(m) for m in range(honest) if int(org[m]) in verified_orgs}
    p_edges = planted_graph(rng, honest, planted_n)
    attack = np.stack([rng.integers(0, honest, size=k), honest + rng.integers(0, planted_n, size=k)], axis=1)
    edges = np.concatenate([h_edges, p_edges, attack])
    members = np.arange(honest + planted_n)
    result = propagation.propagate(members, edges, sorted(seeds))
    mass = result.mass
    auc = propagation.auc([mass[m] for m in range(honest)], [mass[m] for m in range(honest, honest + planted_n)])
    planted = set(range(honest, honest + planted_n))
    skills = {m: sorted({(m * 7) % SKILLS, (m * 13 + 1) % SKILLS}) for m in range(honest)}
    skills |= {m: [TARGET_SKILL] for m in planted}
    scores = _scores(edges, result.trust, seeds, skills, planted)
    target = sorted(scores[TARGET_SKILL].items(), key=lambda kv: (-kv[1], kv[0]))[:100]
    share = sum(1 for m, _ in target if m in planted) / max(1, len(target))
    best_planted = max((s for m, s in scores[TARGET_SKILL].items() if m in planted), default=0.0)
    return {
        "auc": round(auc, 4),
        "top100_planted_share": round(share, 3),
        "best_planted_score": round(best_planted, 2),
        "planted_trust_sum": round(sum(result.trust[m] for m in planted), 3),
        "seeds": len(seeds),
        "edges": len(edges),
    }


def cost_graph(members: int, endorsements: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    src = rng.integers(0, members, size=endorsements)
    local = rng.random(endorsements) < 0.8
    dst = np.where(
        local,
        (src // ORG_SIZE) * ORG_SIZE + rng.integers(0, ORG_SIZE, size=endorsements),
        rng.integers(0, members, size=endorsements),
    )
    return np.stack([src, np.minimum(dst, members - 1)], axis=1)


@benchmark("trust")
def trust_bench(ctx: BenchContext) -> list[Result]:
    from endorsements import trust as propagation

    results: list[Result] = []
    # Pure (no database) and fast: always at the sizes, whatever BENCH_SCALE.
    honest, planted = HONEST, PLANTED
    for k in ATTACK_EDGES:
        q = quality(k, honest=honest, planted_n=planted)
        results.append(
            Result(
                f"trust quality: share of the top 100 held by planted accounts, {k} attack edges",
                q["top100_planted_share"],
                "share",
                0.0 if k == 10 else None,
                "goal at 10 attack edges" if k == 10 else "",
                {"best_planted_score": q["best_planted_score"]},
            )
        )
        results.append(
            Result(
                f"trust quality: AUC honest vs planted, {k} attack edges",
                q["auc"],
                "AUC",
                0.95 if k == 100 else None,
                "goal at 100 attack edges" if k == 100 else "",
                {"honest": honest, "planted": planted} | q,
            )
        )

    # The cost row's size: 100,000 members / 2,000,000 endorsements times TRUST_BENCH_SCALE (a quick run:
    # TRUST_BENCH_SCALE=0.05), else times BENCH_SCALE. Pure numpy, so the database's scale does not apply otherwise.
    scale = float(os.environ.get("TRUST_BENCH_SCALE") or ctx.scale)
    members, endorsements = max(1_000, int(100_000 * scale)), max(10_000, int(2_000_000 * scale))
    edges = cost_graph(members, endorsements)
    ids = np.arange(members)
    seeds = ids[(ids // ORG_SIZE) % 10 == 0]
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        result = propagation.propagate(ids, edges, seeds, as_arrays=True)
        runs.append(time.perf_counter() - start)
    # The floor: one W·x over the same (de-duplicated) graph.
    codes = np.unique(edges[:, 0] * members + edges[:, 1])
    src, dst = codes // members, codes % members
    keep = src != dst
    matrix = propagation.transition(members, src[keep], dst[keep], None)
    vector = np.full(members, 1.0 / members)
    passes = []
    for _ in range(10):
        start = time.perf_counter()
        matrix @ vector
        passes.append(time.perf_counter() - start)
    assert result.arrays is not None
    results.append(
        Result(
            f"trust: full recomputation, {members:,} members / {endorsements:,} endorsements",
            round(float(np.median(runs)), 3),
            "s",
            round(float(np.median(passes)), 4),
            "one sparse matrix-vector pass",
            {
                "iterations": result.iterations,
                "distinct_edges": int(keep.sum()),
                "residual_bound": result.residual_bound,
            },
        )
    )
    return results

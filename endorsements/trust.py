"""Trust that flows from starting points through the endorsement graph: a pure function.

    propagate(members, edges, seeds, penalties=...) -> TrustResult(trust, mass, iterations, residual_bound)

No database here (endorsements/trust_store.py gathers the graph and stores the result), so the
properties in docs/weighting.md ("Trust") are tested on graphs built in memory.

Method: personalised PageRank (TrustRank, Gyöngyi, Garcia-Molina & Pedersen 2004) whose restart
vector is uniform over the seeds (members of verified organisations and named members), with the
degree normalisation of SybilRank (Cao et al. 2012: trust is split by the endorser's out-degree,
so endorsing more people does not hand out more trust) and Íntegro's idea (Boshmaf et al. 2015)
of lowering the weight of edges that look like attack edges: here reciprocal endorsements (A↔B,
what rings do) and endorsers that trusted members declined or blocked.

    mass = (1 − d) · s + d · Wᵀ mass           s = 1/|seeds| on each seed, 0 elsewhere
    W[u, v] = edge(u, v) · influence(u) / outdeg(u)   edge = 1, or RECIPROCAL for an A↔B pair

W is sub-stochastic (a row sums to at most 1): what a reciprocal edge or a penalised endorser
does not pass on, and what a member who endorses nobody holds, is dropped, never re-routed.
So the fixed point is unique, and power iteration from mass₀ = s converges geometrically:
after k iterations ‖mass_k − mass‖₁ ≤ d^k · ‖s − mass‖₁ ≤ 2·d^k; ITERATIONS = 60 with d = 0.85
gives ≤ 1.2e-4 of the total (stated in `TrustResult.residual_bound`).

Why a group of accounts cannot create trust (the bound the tests check): mass enters a group
S of non-seed accounts only along edges from outside; per iteration at most d·Σ mass(u)·W[u, s]
over those attack edges u → s. Inside S it decays at least by d per step (by d·RECIPROCAL
along mutual edges), so mass(S) ≤ d/(1 − d) × (what the attack edges carry), whatever the
number of accounts in S, their age or their declared titles. With no attack edge mass(S) = 0.

A member's trust in [0, 1] is their mass against one seed's share of the restart:
    trust(v) = min(1, mass(v) / (FULL_SHARE · (1 − d) / |seeds|)),  seeds are 1.
Being endorsed by six seeds who each endorse ten people gives full trust; three give half, one
about a sixth. One attack edge from a seed who endorses ten people therefore buys the group at
most d/(1 − d) · d/10 / FULL_SHARE ≈ 0.96 of one fully trusted account, spread over the group.

Deterministic and independent of input order: edges are de-duplicated and sorted before the
matrix is built, the iteration count is fixed, results are rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.stats import rankdata

DAMPING = 0.85  # share of a member's mass passed on along their endorsements each step
ITERATIONS = 60  # fixed: ‖error‖₁ ≤ 2 · DAMPING**ITERATIONS ≈ 1.2e-4
RECIPROCAL = 0.5  # an endorsement answered by one in the other direction (A↔B) passes half
FULL_SHARE = 0.5  # mass, as a share of one seed's restart share, that gives full trust
PENALTY_STEP = 0.2  # influence lost per distinct trusted member who declined or blocked an endorser
PENALTY_FLOOR = 0.2  # … down to this share of it
DIGITS = 6  # trust is rounded to this many decimals (stored, compared)


@dataclass(frozen=True)
class TrustResult:
    trust: dict[int, float]  # member id -> trust in [0, 1]
    mass: dict[int, float] = field(default_factory=dict)  # member id -> personalised PageRank mass
    iterations: int = 0
    residual_bound: float = 0.0  # upper bound on the L1 distance of `mass` to the fixed point
    seeds: frozenset[int] = frozenset()
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (ids, trust, mass) with as_arrays

    def of(self, member_id: int) -> float:
        return self.trust.get(member_id, 0.0)


def influence(penalty: float) -> float:
    """Share of their trust an endorser passes on, given how many distinct trusted members
    declined their requests or blocked them (`penalty`, weighted counts)."""
    return max(PENALTY_FLOOR, 1.0 - PENALTY_STEP * max(0.0, penalty))


def propagate(
    members: Iterable[int] | np.ndarray,
    edges: Iterable[tuple[int, int]] | np.ndarray,
    seeds: Iterable[int] | np.ndarray,
    *,
    penalties: Mapping[int, float] | None = None,
    iterations: int = ITERATIONS,
    damping: float = DAMPING,
    as_arrays: bool = False,
) -> TrustResult:
    """Trust per member from `seeds` through `edges` (endorser, member); see the module docstring.

    Several endorsements between the same two members (different skills) are one edge; self
    edges are ignored; members not in `members` are added. `penalties`: member id -> how many
    distinct trusted members declined or blocked them (lowers what they pass on and their trust).
    Edges may be an (m, 2) integer array (the benchmark's 2,000,000 endorsements). `as_arrays`:
    leave `trust`/`mass` empty and return the arrays in `TrustResult.arrays` (ids, trust, mass).
    """
    pairs = _as_pairs(edges)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    seed_ids = _unique(np.asarray(list(seeds) if not isinstance(seeds, np.ndarray) else seeds, dtype=np.int64))
    member_ids = np.asarray(list(members) if not isinstance(members, np.ndarray) else members, dtype=np.int64)
    order = _unique(np.concatenate([member_ids, pairs.ravel(), seed_ids]))
    n = len(order)
    seed_set = frozenset(seed_ids.tolist())
    if n == 0:
        return TrustResult(trust={}, iterations=0, seeds=seed_set)
    if not seed_set:
        return TrustResult(trust=dict.fromkeys(order.tolist(), 0.0), mass={}, iterations=0, seeds=seed_set)
    # Index, de-duplicate and sort the edges: one integer per (endorser, member), sorted.
    codes = _unique(_positions(order, pairs[:, 0]) * n + _positions(order, pairs[:, 1]))
    src, dst = codes // n, codes % n
    factors = _influence_factors(order, penalties)
    seed_idx = np.searchsorted(order, seed_ids)
    mass = _iterate(n, src, dst, factors, seed_idx, iterations, damping)
    share = (1.0 - damping) / len(seed_set)
    trust = np.minimum(1.0, mass / (FULL_SHARE * share))
    if factors is not None:
        trust = trust * factors
    trust[seed_idx] = 1.0
    trust = np.round(trust, DIGITS)
    result = TrustResult(
        trust={} if as_arrays else dict(zip(order.tolist(), trust.tolist(), strict=True)),
        mass={} if as_arrays else dict(zip(order.tolist(), mass.tolist(), strict=True)),
        iterations=iterations,
        residual_bound=2.0 * damping**iterations,
        seeds=seed_set,
    )
    if as_arrays:
        object.__setattr__(result, "arrays", (order, trust, mass))
    return result


def _unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (as np.unique), by one sort: numpy 2.3's np.unique hashes integers first, 5 to 10
    times slower on millions of edge codes (bench/trust.py's cost row spent most of its time there)."""
    if values.size == 0:
        return values.astype(np.int64)
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _positions(order: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each of `values` in the sorted distinct `order` (every value is in it): a lookup table when the ids
    are dense (database ids are), else a binary search; the same result either way."""
    if order.size and order[0] >= 0 and order[-1] < 4 * order.size + 1024:
        table = np.zeros(int(order[-1]) + 1, dtype=np.int64)
        table[order] = np.arange(order.size, dtype=np.int64)
        return table[values]
    return np.searchsorted(order, values)


def _as_pairs(edges: Iterable[tuple[int, int]] | np.ndarray) -> np.ndarray:
    if isinstance(edges, np.ndarray):
        return edges.astype(np.int64, copy=False).reshape(-1, 2)
    return np.array(list(edges), dtype=np.int64).reshape(-1, 2)


def _influence_factors(order: np.ndarray, penalties: Mapping[int, float] | None) -> np.ndarray | None:
    if not penalties:
        return None
    factors = np.ones(len(order))
    for member, penalty in penalties.items():
        i = int(np.searchsorted(order, member))
        if i < len(order) and order[i] == member:
            factors[i] = influence(penalty)
    return factors


def transition(n: int, src: np.ndarray, dst: np.ndarray, factors: np.ndarray | None) -> sparse.csr_matrix:
    """Wᵀ as a CSR matrix (rows: the endorsed member), from de-duplicated edges sorted by (src, dst)."""
    m = len(src)
    if m == 0:
        return sparse.csr_matrix((n, n))
    # Reciprocal: (v, u) is an edge too. The edges are sorted by code = src·n + dst.
    code = src * n + dst
    back = dst * n + src
    # Look the reverse codes up in sorted order (searchsorted walks forward from its last hit: 3 to 4 times faster on
    # 2,000,000 edges than random look-ups), then put the answers back in edge order.
    by_back = np.argsort(back)
    wanted = back[by_back]
    pos = np.minimum(np.searchsorted(code, wanted), m - 1)
    reciprocal = np.empty(m, dtype=bool)
    reciprocal[by_back] = code[pos] == wanted
    weight = np.where(reciprocal, RECIPROCAL, 1.0)
    outdeg = np.bincount(src, minlength=n).astype(np.float64)
    weight = weight / outdeg[src]
    if factors is not None:
        weight = weight * factors[src]
    return sparse.csr_matrix((weight, (dst, src)), shape=(n, n))


def _iterate(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    factors: np.ndarray | None,
    seed_idx: np.ndarray,
    iterations: int,
    damping: float,
) -> np.ndarray:
    matrix = transition(n, src, dst, factors)
    restart = np.zeros(n)
    restart[seed_idx] = 1.0 / len(seed_idx)
    mass = restart.copy()
    teleport = (1.0 - damping) * restart
    for _ in range(iterations):
        mass = teleport + damping * (matrix @ mass)
    return mass


def auc(honest: Iterable[float], planted: Iterable[float]) -> float:
    """Probability that a random honest member ranks above a random planted one (ties count half):
    the Mann-Whitney statistic, as SybilRank and Íntegro report it."""
    h = np.asarray(list(honest), dtype=np.float64)
    p = np.asarray(list(planted), dtype=np.float64)
    if len(h) == 0 or len(p) == 0:
        return float("nan")
    ranks = rankdata(np.concatenate([h, p]))  # average ranks for ties
    rank_sum = ranks[: len(h)].sum()
    return float((rank_sum - len(h) * (len(h) + 1) / 2) / (len(h) * len(p)))

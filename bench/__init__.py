"""Benchmarks, run by `make bench` (`python -m bench [name ...]`).

Each benchmark is a function registered with `@benchmark("name")`, in any module of this
package (modules are discovered). It receives a `BenchContext` and returns `Result`s: a
measured figure beside a baseline measured IN THE SAME RUN (so the ratio, not the absolute
time, is what to compare across machines). `python -m bench` runs them all in a throwaway
test database (created and dropped with Django's test utilities: the development database
is never touched), prints a table and writes bench/results.json.

Scale: `BENCH_SCALE` (default 1) multiplies every data set (bench/datasets.py: 10,000 members and
200,000 endorsements on PostgreSQL, a tenth of that on SQLite); the full run takes about
70 s on PostgreSQL on 2 cores.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    benchmark: str = ""  # the registered name that produced it (set by `python -m bench`)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": None if self.ratio is None else round(self.ratio, 3)}


@dataclass
class BenchContext:
    scale: float
    repeat: int

    def scaled(self, n: int, minimum: int = 1) -> int:
        return max(minimum, int(n * self.scale))


BenchFn = Callable[[BenchContext], list[Result]]
REGISTRY: dict[str, BenchFn] = {}


def benchmark(name: str) -> Callable[[BenchFn], BenchFn]:
    def register(fn: BenchFn) -> BenchFn:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} registered twice")
        REGISTRY[name] = fn
        return fn

    return register


def timed(fn: Callable[[], Any], repeat: int, warmup: int = 3) -> dict[str, float]:
    """Median, min and p95 wall time of `fn` in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "min": samples[0],
        "p95": samples[min(len(samples) - 1, int(len(samples) * 0.95))],
    }


def interleaved(fns: list[Callable[[], Any]], repeat: int, warmup: int = 3) -> list[dict[str, float]]:
    """Like `timed` for several functions called in turn (a, b, a, b, ...): drift hits them alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            samples[i].append((time.perf_counter() - start) * 1000)
    out = []
    for s in samples:
        s.sort()
        out.append({"median": statistics.median(s), "min": s[0], "p95": s[min(len(s) - 1, int(len(s) * 0.95))]})
    return out


def print_table(results: list[Result]) -> None:
    rows = [("benchmark", "value", "baseline", "ratio", "notes")]
    for r in results:
        value = f"{r.value:.3f} {r.unit}" if isinstance(r.value, float) else f"{r.value} {r.unit}"
        base = f"{r.baseline:.3f} {r.unit} ({r.baseline_label})" if r.baseline is not None else ""
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        notes = ", ".join(f"{k}={v}" for k, v in r.extra.items())
        rows.append((r.name, value, base, ratio, notes))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(str(cell).ljust(widths[j]) for j, cell in enumerate(row[:4])) + "  " + row[4])
        if i == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 5)


def write_results(
    results: list[Result], meta: dict[str, Any], path: Path = RESULTS_PATH, ran: list[str] | None = None
) -> None:
    """Write `results`; with `ran` (a run of some benchmarks only), keep the rows earlier runs wrote for the others
    (each row says which benchmark produced it and when), so `python -m bench trust` updates the trust rows only."""
    rows = [r.as_json() | {"generated_at": meta.get("generated_at")} for r in results]
    if ran is not None and path.exists():
        try:
            previous = json.loads(path.read_text()).get("results", [])
        except (ValueError, AttributeError):
            previous = []
        names = {r.name for r in results}
        kept = [
            row
            for row in previous
            if isinstance(row, dict) and row.get("benchmark") not in ran and row.get("name") not in names
        ]
        rows = kept + rows
    payload = meta | {"results": rows}
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")


def scale_from_env() -> float:
    raw = os.environ.get("BENCH_SCALE", "1")
    try:
        scale = float(raw)
    except ValueError:
        raise SystemExit(f"BENCH_SCALE must be a number, not {raw!r}") from None
    if scale <= 0:
        raise SystemExit("BENCH_SCALE must be positive")
    return scale

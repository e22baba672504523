"""Badge verification throughput: badges verified per second from a local issuer (loopback HTTP, no TLS), each with
its own Fetcher as `reverify_badges` does, against the baseline of fetching the same documents with a bare
urllib GET (what no verifier can beat: the I/O alone). Half hosted OB 2.0 assertions, half RS256-signed ones."""

from __future__ import annotations

import time
import urllib.request
from datetime import UTC, datetime

from bench import BenchContext, Result, benchmark


@benchmark("badge-verify")
def badge_verify(ctx: BenchContext) -> list[Result]:
    from badges.openbadges import BadgeSource, Fetcher, verify
    from badges.tests.issuer import LocalIssuer

    issuer = LocalIssuer()
    email = "bench@example.org"
    n = ctx.scaled(60, minimum=10)
    sources = [
        BadgeSource.from_url(issuer.hosted(email)) if i % 2 == 0 else BadgeSource.from_text(issuer.signed(email))
        for i in range(n)
    ]
    try:

        def run_all() -> float:
            started = time.perf_counter()
            for source in sources:
                fetcher = Fetcher(allowed_hosts=frozenset({"127.0.0.1"}))
                try:
                    result = verify(source, fetcher=fetcher, now=datetime.now(UTC), identities=[email])
                finally:
                    fetcher.close()
                assert result.status == "VERIFIED", result.errors
            return time.perf_counter() - started

        run_all()  # warm-up
        hits_before = len(issuer.hits)
        verify_s = min(run_all() for _ in range(3))
        paths = issuer.hits[hits_before : hits_before + (len(issuer.hits) - hits_before) // 3]

        def fetch_all() -> float:
            started = time.perf_counter()
            for path in paths:
                with urllib.request.urlopen(issuer.url(path), timeout=5) as response:
                    response.read()
            return time.perf_counter() - started

        fetch_s = min(fetch_all() for _ in range(3))
    finally:
        issuer.close()
    return [
        Result(
            "badge: verified per second (local issuer, hosted+signed)",
            round(n / verify_s, 1),
            "badges/s",
            round(n / fetch_s, 1),
            "bare urllib GETs of the same documents",
            {"badges": n, "documents_per_badge": round(len(paths) / n, 1)},
        )
    ]

"""Live notifications: endorse commit → socket frame (vs a bare Channels echo) with the in-memory
and the Redis channel layer, and idle authenticated sockets held by one worker.

The measurements live in bench/notifications_live.py (also runnable alone: `python -m bench.notifications_live`).
The Redis row needs REDIS_URL; without it the row is skipped with a note.
"""

from __future__ import annotations

import os

from bench import BenchContext, Result, benchmark


def _latency_rows(latency: dict, label: str) -> list[Result]:
    echo, frame = latency["echo_round_trip"], latency["endorse_commit_to_frame"]
    extra = {"layer": latency["channel_layer"], "n": frame["n"]}
    return [
        Result(
            f"notify ({label}): endorse commit → frame p50",
            frame["p50_ms"],
            "ms",
            echo["p50_ms"],
            "bare Channels echo round trip p50",
            extra,
        ),
        Result(
            f"notify ({label}): endorse commit → frame p95",
            frame["p95_ms"],
            "ms",
            echo["p95_ms"],
            "bare Channels echo round trip p95",
            extra,
        ),
    ]


@benchmark("notifications")
def notifications(ctx: BenchContext) -> list[Result]:
    from bench.live import database_env
    from bench.notifications_live import idle_sockets, notification_latency

    samples = ctx.scaled(200, minimum=20)
    results = _latency_rows(notification_latency(samples=samples, in_memory=True), "in-memory layer")
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        results += _latency_rows(notification_latency(samples=samples, redis_url=redis_url), "Redis layer")
    else:
        print("   Redis layer: skipped (set REDIS_URL=redis://127.0.0.1:6379/<db> to measure it)", flush=True)
        results.append(Result("notify (Redis layer): skipped, REDIS_URL not set", 0, "", extra={"skipped": True}))
    idle = idle_sockets(ctx.scaled(1000, minimum=50), database_env())
    results += [
        Result(
            "notify: idle authenticated sockets held, one worker",
            idle["sockets"],
            "sockets",
            extra={"opened_in_s": round(idle["opened_in_s"], 1), "sockets_per_gib": idle["sockets_per_gib"]},
        ),
        Result(
            "notify: resident memory per idle socket",
            idle["kib_per_socket"],
            "KiB",
            extra={
                "rss_before_mib": round(idle["rss_before_mib"], 1),
                "rss_after_mib": round(idle["rss_after_mib"], 1),
            },
        ),
    ]
    return results

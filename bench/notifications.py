"""Live notifications: endorse commit → socket frame (vs a bare Channels echo) with the in-memory
and the Redis channel layer; 10,000 idle authenticated sockets held by one worker (memory per socket,
time to open, the worker's peak database connections); and the fan-out of 200 notifications a second
to 1,000 connected members on the Redis layer (commit → frame p50/p95 beside bare group_sends at the
same rate, dropped frames). BENCH_SCALE scales the socket and member counts and the fan-out's duration,
not its rate.

The measurements live in bench/notifications_live.py (also runnable alone: `python -m bench.notifications_live`).
The Redis rows need REDIS_URL; without it they are skipped with a note (the idle sockets are then held
on the in-memory layer).
"""

from __future__ import annotations

import os

from bench import BenchContext, Result, benchmark

FANOUT_RATE = 200  # notifications per second, whatever BENCH_SCALE (it scales the members and the duration)
FANOUT_P95_GOAL_MS = 25  # issue 18, goal 5


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
    from bench.notifications_live import notification_latency

    samples = ctx.scaled(200, minimum=20)
    results = _latency_rows(notification_latency(samples=samples, in_memory=True), "in-memory layer")
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        results += _latency_rows(notification_latency(samples=samples, redis_url=redis_url), "Redis layer")
    else:
        print("   Redis layer: skipped (set REDIS_URL=redis://127.0.0.1:6379/<db> to measure it)", flush=True)
        results.append(Result("notify (Redis layer): skipped, REDIS_URL not set", 0, "", extra={"skipped": True}))
    results += _socket_rows(ctx, redis_url)
    return results


def _socket_rows(ctx: BenchContext, redis_url: str | None) -> list[Result]:
    """10,000 idle authenticated sockets on one Daphne worker, then the fan-out to 1,000 of them (Redis only)."""
    from bench.live import database_env
    from bench.notifications_live import fanout, idle_sockets, live_server, seed_signed_in_members

    count = ctx.scaled(10000, minimum=100)
    members = min(count, ctx.scaled(1000, minimum=50))
    total = ctx.scaled(2000, minimum=200)
    layer = "redis" if redis_url else "in-memory"
    sessions = seed_signed_in_members(count)
    # A worker each: the fan-out does not share the first one's teardown of 10,000 sockets.
    with live_server(database_env(), redis_url) as server:
        idle = idle_sockets(server, sessions)
    fan = None
    if redis_url:
        with live_server(database_env(), redis_url) as server:
            fan = fanout(server, sessions[:members], rate=FANOUT_RATE, total=total)
    results = [
        Result(
            "notify: idle authenticated sockets held, one worker",
            idle["sockets"],
            "sockets",
            extra={
                "layer": layer,
                "alive": idle["alive"],
                "opened_in_s": round(idle["opened_in_s"], 1),
                "opened_per_s": round(idle["opened_per_s"]),
                "sockets_per_gib": idle["sockets_per_gib"],
                "server_db_connections_peak": idle["server_db_connections_peak"],
                "fd_limit": idle["fd_limit_server"],
            },
        ),
        Result(
            "notify: resident memory per idle socket",
            round(idle["kib_per_socket"], 2),
            "KiB",
            extra={
                "sockets": idle["sockets"],
                "rss_before_mib": round(idle["rss_before_mib"], 1),
                "rss_after_mib": round(idle["rss_after_mib"], 1),
            },
        ),
    ]
    if fan is None:
        print("   fan-out: skipped (it crosses processes through Redis: set REDIS_URL to measure it)", flush=True)
        results.append(Result("notify fan-out: skipped, REDIS_URL not set", 0, "", extra={"skipped": True}))
        return results
    label = f"notify fan-out (Redis, {fan['members']:,} members, {fan['rate']:g}/s)"
    extra = {
        "n": fan["commit_to_frame"]["n"],
        "dropped": fan["dropped"],
        "floor_dropped": fan["floor_dropped"],
        "producer_late": fan["producer_late"],
        "producer_seconds": fan["producer_seconds"],
        "sockets_closed_early": sum(fan["sockets_closed_early"].values()),
        "server_cpu_ms_per_push": fan["server_cpu_ms_per_push"],
        "floor_server_cpu_ms_per_push": fan["floor_server_cpu_ms_per_push"],
    }
    for p in ("p50", "p95"):
        results.append(
            Result(
                f"{label}: commit → frame {p}",
                round(fan["commit_to_frame"][f"{p}_ms"], 3),
                "ms",
                round(fan["floor"][f"{p}_ms"], 3),
                f"bare group_send → frame {p}, same rate and worker",
                extra | ({"goal_ms": FANOUT_P95_GOAL_MS} if p == "p95" else {}),
            )
        )
    return results

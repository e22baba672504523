"""Live notifications: endorse commit → socket frame (vs a bare Channels echo), idle sockets per worker.

The measurements live in notifications/bench.py (also runnable alone: `python -m notifications.bench`).
"""

from __future__ import annotations

from bench import BenchContext, Result, benchmark


@benchmark("notifications")
def notifications(ctx: BenchContext) -> list[Result]:
    from notifications.bench import idle_sockets, notification_latency

    latency = notification_latency(samples=ctx.scaled(200, minimum=20))
    echo, frame = latency["echo_round_trip"], latency["endorse_commit_to_frame"]
    layer = {"layer": latency["channel_layer"], "n": frame["n"]}
    idle = idle_sockets(ctx.scaled(1000, minimum=50))
    return [
        Result("notify: endorse commit → frame p50", frame["p50_ms"], "ms", echo["p50_ms"], "bare Channels echo p50", layer),
        Result("notify: endorse commit → frame p95", frame["p95_ms"], "ms", echo["p95_ms"], "bare Channels echo p95", layer),
        Result(
            "notify: idle authenticated sockets, one worker",
            idle["sockets"],
            "sockets",
            extra={"opened_in_s": round(idle["opened_in_s"], 1), "sockets_per_gib": idle["sockets_per_gib"]},
        ),
        Result("notify: resident memory per idle socket", idle["kib_per_socket"], "KiB",
               extra={"rss_before_mib": round(idle["rss_before_mib"], 1), "rss_after_mib": round(idle["rss_after_mib"], 1)}),
    ]

"""`python -m bench [name ...]`: run the registered benchmarks in a throwaway database.

The database is the one DATABASE_URL names (SQLite by default), but the data goes into its
TEST database, created and dropped here with Django's test utilities, so the development
database is untouched (on PostgreSQL: `test_<name>`, which must not be in use).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vouch.settings")
    os.environ.setdefault("SEED_DEMO", "0")
    # Measure what production runs: with DEBUG on, graphene-django adds its DjangoDebugMiddleware
    # (every SQL statement recorded per request) and Django keeps a query log.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-serving-0123456789abcdef")
    os.environ.setdefault("VOUCH_SIGNING_KEY", "be" * 32)  # bench-only key: DEBUG off refuses to start without one
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("ENDORSEMENTS_PER_DAY", "1000000")  # the endorse rows make thousands in-process too
    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases, teardown_test_environment

    import bench
    from bench import live

    for module in pkgutil.iter_modules(bench.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"bench.{module.name}")
    # Reads first (on the network as seeded), then writes, then the ones that do not use it.
    preferred = ["profile", "search", "endorse", "notifications", "badge-png"]
    wanted = argv or sorted(bench.REGISTRY, key=lambda n: preferred.index(n) if n in preferred else len(preferred))
    unknown = [n for n in wanted if n not in bench.REGISTRY]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(bench.REGISTRY)}", file=sys.stderr)
        return 2

    ctx = bench.BenchContext(scale=bench.scale_from_env(), repeat=int(os.environ.get("BENCH_REPEAT", "30")))
    setup_test_environment(debug=False)
    if connection.vendor == "sqlite":
        # A file, not Django's in-memory test database: the bench's live server (another process) opens it too.
        workdir = tempfile.mkdtemp(prefix="vouch-bench-")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = os.path.join(workdir, "bench.sqlite3")
    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    results: list[bench.Result] = []
    started = time.time()
    try:
        for name in wanted:
            print(f"== {name} (BENCH_SCALE={ctx.scale:g}, {connection.vendor})", flush=True)
            for row in bench.REGISTRY[name](ctx):
                row.benchmark = name
                results.append(row)
        print()
        bench.print_table(results)
        bench.write_results(
            results,
            {
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": "make bench",
                "database": connection.vendor,
                "redis": bool(os.environ.get("REDIS_URL")),
                "scale": ctx.scale,
                "repeat": ctx.repeat,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "seconds": round(time.time() - started, 1),
                "debug": settings.DEBUG,
                "benchmarks": wanted,
            },
            ran=wanted if argv else None,
        )
        print(f"\nwritten to {bench.RESULTS_PATH} in {time.time() - started:.0f} s")
    finally:
        live.stop()  # its connections would keep the test database from being dropped
        # database_sync_to_async ran ORM calls in asgiref's executor thread: close its connection too.
        from asgiref.sync import SyncToAsync
        from django.db import connections

        SyncToAsync.single_thread_executor.submit(connections.close_all).result()
        connections.close_all()
        teardown_databases(config, verbosity=0)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

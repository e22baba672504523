"""One real Vouch server (Daphne, tests/live_server.py) for the whole bench run, on the bench database.

It runs with `bench.settings` (production settings + the bench-only URLconf, bench/urls.py, which
adds the hand-written JSON view used as a baseline; production URLs never include it), DEBUG off,
and the daily caps lifted (the endorse benchmark makes thousands of endorsements).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_server: Any = None


def database_env() -> dict[str, str]:
    """The env that points a server process at the bench's (test) database."""
    from django.db import connection

    sys.path.insert(0, str(ROOT))
    from tests.live_server import postgres_env

    if connection.vendor == "postgresql":
        return postgres_env(connection.settings_dict)
    return {"SQLITE_PATH": str(connection.settings_dict["NAME"])}


def server() -> Any:
    global _server
    if _server is None:
        from tests.live_server import LiveServer

        _server = LiveServer(
            database_env(),
            extra_env={
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DEBUG": "0",
                "ENDORSEMENTS_PER_DAY": "1000000",
                "ENDORSEMENT_REQUESTS_PER_DAY": "1000000",
                # The profile read cache as deployed (docs/architecture.md). Production turns it on with Redis; here
                # the one server process is every writer during the run, so its local cache's generation is exact.
                "PROFILE_CACHE_SECONDS": "60",
            },
        ).start()
    return _server


def stop() -> None:
    global _server
    if _server is not None:
        _server.stop()
        _server = None

"""schemathesis against allauth headless's OpenAPI specification as Vouch serves it (/_allauth/openapi.json), on a
live server: every operation it lists, with generated valid and invalid input, must never answer a server error.
Bounded: a few examples per operation, deterministic generation, a timeout per request (about 30 s here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.timeout(300), pytest.mark.django_db(transaction=True)]


def test_no_operation_of_the_headless_specification_answers_a_server_error(live_server_factory, tmp_path):
    server = live_server_factory()
    st = Path(sys.executable).with_name("st")
    done = subprocess.run(
        [
            str(st),
            "run",
            f"{server.url}/_allauth/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "5",
            "--generation-deterministic",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=tmp_path,
    )
    summary = done.stdout[-3000:]
    print(summary)
    assert done.returncode == 0, summary + server.output()[-3000:]
    assert "Selected: " in summary and "passed" in summary

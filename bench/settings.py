"""Settings of the bench's live server: exactly production's, plus the bench-only URLconf."""

from vouch.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"

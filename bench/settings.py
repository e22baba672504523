"""Settings of the bench's live server: exactly production's, plus the bench-only URLconf."""

from vouch.settings import *  # noqa: F403 - a settings module extends the project's settings

ROOT_URLCONF = "bench.urls"

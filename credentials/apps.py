from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialsConfig(AppConfig):
    name = "credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A malformed key must stop start-up, not the first credential request.
        from credentials.keys import parse_public, parse_secret

        if settings.VOUCH_SIGNING_KEY:
            try:
                parse_secret(settings.VOUCH_SIGNING_KEY)
            except ValueError as exc:
                raise ImproperlyConfigured(f"VOUCH_SIGNING_KEY is {exc}") from None
        for item in settings.VOUCH_RETIRED_SIGNING_KEYS:
            try:
                parse_public(item)
            except ValueError as exc:
                raise ImproperlyConfigured(f"VOUCH_RETIRED_SIGNING_KEYS: an entry is {exc}") from None
        origin = settings.VOUCH_ORIGIN
        if origin:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
                raise ImproperlyConfigured(f"VOUCH_ORIGIN must look like https://vouch.example, got {origin!r}")

"""ASGI entry point: HTTP through Django, websockets through Channels."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vouch.settings")

from django.conf import settings
from django.core.asgi import get_asgi_application

from vouch.bodylimit import BodySizeLimit

django_asgi_app = BodySizeLimit(get_asgi_application(), settings.MAX_REQUEST_BODY_BYTES)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from vouch.routing import websocket_urlpatterns  # noqa: E402
from vouch.websocket_auth import SessionOrTokenAuthMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # No AllowedHostsOriginValidator: it refused every client without an Origin header (native apps, gql,
        # graphql-ws on Node). The Origin rule is vouch/websocket_auth.py's: the cookie counts only from our origin.
        "websocket": SessionOrTokenAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)

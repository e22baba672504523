"""Security headers Django does not set by itself."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Scripts only from our own origin: no inline script anywhere in the templates.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The GraphiQL page alone (set by its view, vouch/graphql/view.py, on that one answer): its assets are Vouch's own
# static files and its bootstrap reads a JSON data block, so scripts stay 'self'-only; GraphiQL's editor (React,
# CodeMirror) writes inline styles and data: fonts/icons, which this page allows.
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view may set its own policy (GraphiQL's page, the embeddable card); every other answer, 404s and
        # error pages included, gets the strict one.
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ApiErrorsMiddleware:
    """`/graphql…` and `/_allauth/…` never answer with an HTML page, DEBUG on or off: an error page Django (or a
    view) rendered there becomes the API's JSON error (vouch/error_views.py), and an exception is logged and answered
    as a JSON 500 without internals."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and "text/html" in response.get("Content-Type", ""):
            from vouch.error_views import api_error

            replaced = api_error(request, response.status_code)
            if replaced is not None:
                return replaced
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from allauth.core.exceptions import ImmediateHttpResponse
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from vouch.error_views import api_error

        if isinstance(exception, Http404 | PermissionDenied | ImmediateHttpResponse):
            # Django's own handling (and allauth's AccountMiddleware, which answers ImmediateHttpResponse, e.g. the
            # 400 for a JSON body that is not an object), then __call__ above makes it JSON.
            return None
        answer = api_error(request, 500)
        if answer is not None:
            logging.getLogger("django.request").error(
                "Internal Server Error: %s", request.path, exc_info=exception, extra={"status_code": 500}
            )
        return answer

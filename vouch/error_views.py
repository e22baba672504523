"""Error answers: branded pages with the site's layout, JSON for the APIs.

`/graphql…` answers in GraphQL's shape (`{"errors": [{"message", "extensions": {"code"}}]}`) and `/_allauth/…` in
allauth headless's (`{"status", "errors": [{"message", "code"}]}`): an API client never gets Django's HTML page.
Everything else gets 400.html/403.html/404.html/500.html, which extend the site's base layout. The 500 page is
rendered without the request's context processors (whatever failed may fail again there) and falls back to plain
text if even that fails.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

_TEXT = {
    400: ("BAD_REQUEST", "The request could not be understood."),
    403: ("FORBIDDEN", "You may not do that."),
    404: ("NOT_FOUND", "There is nothing here."),
    500: ("SERVER_ERROR", "Something went wrong on our side. Please try again in a moment."),
}


def api_error(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse | None:
    """The JSON error answer for an API path, or None for a page."""
    code, default = _TEXT.get(status, ("ERROR", "Error."))
    text = message or default
    if request.path.startswith("/graphql"):
        return JsonResponse({"errors": [{"message": text, "extensions": {"code": code}}]}, status=status)
    if request.path.startswith("/_allauth/"):
        return JsonResponse({"status": status, "errors": [{"message": text, "code": code.lower()}]}, status=status)
    return None


def _page(request: HttpRequest, status: int, template: str, context: dict[str, Any] | None = None) -> HttpResponse:
    answer = api_error(request, status)
    if answer is not None:
        return answer
    body = loader.render_to_string(template, {"status": status, **(context or {})}, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, "403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "404.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # CSRF_FAILURE_VIEW: a form posted from a stale or foreign page.
    answer = api_error(request, 403, f"CSRF check failed: {reason}" if reason else None)
    if answer is not None:
        return answer
    body = loader.render_to_string("403.html", {"status": 403, "csrf": True}, request=request)
    return HttpResponse(body, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    answer = api_error(request, 500)
    if answer is not None:
        return answer
    try:
        body = loader.render_to_string("500.html", {"status": 500})  # no request: no context processors
    except Exception:  # the layout itself failed: still answer something readable
        return HttpResponse(_TEXT[500][1], status=500, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=500)

"""The Django admin, hardened (docs/security.md, "The admin").

- Mounted at ADMIN_URL only (off by default with DEBUG off), optionally reachable only from ADMIN_ALLOWED_NETWORKS:
  elsewhere every admin URL answers 404, as if there were none.
- Failed sign-ins are limited like allauth's: ADMIN_LOGIN_FAILURES_PER_USERNAME (5) per username and
  ADMIN_LOGIN_FAILURES_PER_IP (10) per client address within ADMIN_LOCKOUT_SECONDS (300). Past either, the sign-in
  form answers 429 without checking the password at all, so a guess that happens to be right is refused too. Counts
  live in the cache (Redis when REDIS_URL is set: shared by every worker); the client address is allauth's (it
  honours TRUSTED_PROXY_COUNT).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver


def _client_ip(request: HttpRequest) -> str:
    from allauth.core.internal.httpkit import get_client_ip

    return get_client_ip(request) or "unknown"


def _allowed(request: HttpRequest) -> bool:
    networks = settings.ADMIN_ALLOWED_NETWORKS
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(_client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def _keys(request: HttpRequest) -> tuple[str, str]:
    username = (request.POST.get("username") or "").strip().lower()[:150]
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    return f"admin-login:user:{digest}", f"admin-login:ip:{_client_ip(request)}"


def _locked(user_key: str, ip_key: str) -> bool:
    counts = cache.get_many([user_key, ip_key])
    return (
        counts.get(user_key, 0) >= settings.ADMIN_LOGIN_FAILURES_PER_USERNAME
        or counts.get(ip_key, 0) >= settings.ADMIN_LOGIN_FAILURES_PER_IP
    )


def _count_failure(key: str) -> None:
    if not cache.add(key, 1, timeout=settings.ADMIN_LOCKOUT_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.ADMIN_LOCKOUT_SECONDS)


def _guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not _allowed(request):
            raise Http404
        return view(request, *args, **kwargs)

    return inner


def _guard_all(patterns: list[Any]) -> list[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _guarded(pattern.callback)
        elif isinstance(pattern, URLResolver):
            _guard_all(pattern.url_patterns)
    return patterns


class VouchAdminSite(admin.AdminSite):
    site_header = "Vouch administration"
    site_title = "Vouch admin"

    def get_urls(self) -> list[Any]:
        return _guard_all(super().get_urls())

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        user_key, ip_key = _keys(request)
        if _locked(user_key, ip_key):
            context = {
                **self.each_context(request),
                "title": "Log in",
                "app_path": request.get_full_path(),
                "username": request.user.get_username(),
                "form": None,
                "locked": True,
            }
            locked = TemplateResponse(request, "admin/vouch_locked.html", context, status=429)
            locked["Retry-After"] = str(settings.ADMIN_LOCKOUT_SECONDS)
            return locked
        response = super().login(request, extra_context)
        if response.status_code == 302 and request.user.is_authenticated:
            cache.delete(user_key)
        else:  # the form came back: a wrong username or password (or not staff)
            _count_failure(user_key)
            _count_failure(ip_key)
        return response


class VouchAdminConfig(AdminConfig):
    default_site = "vouch.admin_site.VouchAdminSite"

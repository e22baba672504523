from __future__ import annotations

from allauth.headless import urls as allauth_headless_urls
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from vouch.graphql.view import VouchGraphQLView
from vouch.health import healthz

# allauth headless always routes its phone endpoints; Vouch has no phone numbers (the adapter's phone methods raise
# NotImplementedError: a 500). Unrouted, they answer the JSON 404 and drop out of the OpenAPI specification, which
# lists only what resolves.
_NOT_SERVED = {"manage_phone", "verify_phone", "resend_phone_verification_code"}


def _drop(patterns: list) -> None:
    for pattern in list(patterns):
        if isinstance(pattern, URLResolver):
            _drop(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name in _NOT_SERVED:
            patterns.remove(pattern)


_drop(allauth_headless_urls.urlpatterns)

urlpatterns = [
    path("graphql/", VouchGraphQLView.as_view(graphiql=True), name="graphql"),
    path("healthz", healthz, name="healthz"),
    path("_allauth/", include("allauth.headless.urls")),
    path("accounts/", include("allauth.urls")),
    # Media (avatars, badge images) are small files Vouch itself re-encoded; served by Django
    # so one process is enough. Behind a CDN or object storage in a large deployment.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("credentials.urls")),
    path("", include("backpack.urls")),
    path("", include("insights.urls")),
    path("", include("frontend.urls")),
]
if settings.ADMIN_URL:  # not mounted at all otherwise (docs/security.md, "The admin")
    urlpatterns.insert(4, path(settings.ADMIN_URL, admin.site.urls))

# Branded pages, JSON for /graphql… and /_allauth/… (vouch/error_views.py).
handler400 = "vouch.error_views.bad_request"
handler403 = "vouch.error_views.permission_denied"
handler404 = "vouch.error_views.page_not_found"
handler500 = "vouch.error_views.server_error"

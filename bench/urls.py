"""The app's URLs plus the bench-only baseline view. Only bench.settings (the bench's server) uses this."""

from __future__ import annotations

from django.urls import path

from bench.views import profile_json
from vouch.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/profile/<str:username>", profile_json, name="bench-profile"), *app_urlpatterns]

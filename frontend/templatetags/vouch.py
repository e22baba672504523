"""Small presentation helpers for the templates (no data access here)."""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


def _initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").replace("_", " ").split() if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


@register.simple_tag
def avatar(user: Any, size: str = "") -> str:
    """The member's avatar image, or their initials on a colour derived from the handle."""
    profile = getattr(user, "profile", None)
    name = (profile.name if profile else None) or user.username
    size_class = f" avatar--{size}" if size else ""
    image = None
    if profile is not None:
        image = profile.avatar_small if size == "sm" and profile.avatar_small else profile.avatar
    if image:
        return format_html('<img class="avatar{}" src="{}" alt="">', size_class, image.url)
    hue = zlib.crc32(user.username.encode()) % 8
    return format_html('<span class="avatar{} avatar--h{}" aria-hidden="true">{}</span>', size_class, hue, _initials(name))


@register.filter
def meter_class(score: float, top: float) -> str:
    """A CSS width step (w0..w10) for a score relative to the page's highest one (no inline styles under CSP)."""
    try:
        ratio = float(score) / float(top) if top else 0.0
    except (TypeError, ValueError):
        ratio = 0.0
    return f"w{max(0, min(10, round(ratio * 10)))}"


@register.filter
def score_format(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "0"
    return f"{number:.1f}" if number < 100 else f"{number:.0f}"

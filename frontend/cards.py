"""The share card (`/m/<username>/card.png`, 1200×630, what Open Graph / Twitter previews show), drawn with
Pillow: the member's name, their top skills with scores, "verified by Vouch". No external fonts: Pillow's own."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
BRAND = (37, 99, 235)
INK = (17, 24, 39)
MUTED = (75, 85, 99)
TRACK = (229, 231, 235)


def _font(size: int) -> Any:
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def render_card(*, name: str, handle: str, headline: str, skills: list[tuple[str, float, int]], host: str) -> bytes:
    """PNG bytes. ``skills``: (name, score, endorsement count), best first; at most five are drawn."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, WIDTH, 14], fill=BRAND)
    draw.text((72, 60), _fit(draw, name, _font(64), WIDTH - 144), font=_font(64), fill=INK)
    draw.text(
        (72, 140),
        _fit(draw, f"@{handle}" + (f" · {headline}" if headline else ""), _font(30), WIDTH - 144),
        font=_font(30),
        fill=MUTED,
    )
    top = max((s for _, s, _ in skills), default=0) or 1
    y = 210
    if not skills:
        draw.text((72, y), "No skills listed yet.", font=_font(34), fill=MUTED)
    for skill, score, count in skills[:5]:
        draw.text((72, y), _fit(draw, skill, _font(36), 520), font=_font(36), fill=INK)
        label = f"{score:.1f} · {count} endorsement{'s' if count != 1 else ''}"
        draw.text((WIDTH - 72 - draw.textlength(label, font=_font(28)), y + 6), label, font=_font(28), fill=MUTED)
        draw.rounded_rectangle([72, y + 50, WIDTH - 72, y + 60], radius=5, fill=TRACK)
        filled = 72 + int((WIDTH - 144) * max(0.02, min(1.0, score / top)))
        draw.rounded_rectangle([72, y + 50, filled, y + 60], radius=5, fill=BRAND)
        y += 76
    draw.text((72, HEIGHT - 70), "verified by Vouch", font=_font(32), fill=BRAND)
    draw.text((WIDTH - 72 - draw.textlength(host, font=_font(28)), HEIGHT - 66), host, font=_font(28), fill=MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()

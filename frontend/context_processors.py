"""Values every page's layout needs: the bell's unread count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from profiles.actors import is_signed_in


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not is_signed_in(user):
        return {}
    from frontend.selectors import unread_count

    # Lazy: evaluated only when a template reads it (one indexed COUNT on the partial unread index).
    return {"unread_count": _Lazy(lambda: unread_count(user))}


class _Lazy:
    def __init__(self, fn: Any) -> None:
        self._fn = fn
        self._value: Any = None
        self._done = False

    def _get(self) -> Any:
        if not self._done:
            self._value, self._done = self._fn(), True
        return self._value

    def __bool__(self) -> bool:
        return bool(self._get())

    def __str__(self) -> str:
        return str(self._get())

    def __int__(self) -> int:
        return int(self._get())

"""`after_fetch`: run one batch function over the rows a queryset fetches, when it fetches them.

For values computed per row that no JOIN or annotation expresses well (a member's verified workplace:
e-mail domains matched against organisations' domains and their parents; a listing's rank among every
listing of its skill): a list of N rows then costs one extra batch, not N queries. The hook survives
chaining (`filter`, slicing, a `Prefetch` queryset's per-batch filter), because Django copies a
queryset's iterable class to its clones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet


def after_fetch(qs: QuerySet[Any], batch: Callable[[list[Any]], None]) -> QuerySet[Any]:
    """`qs`, whose rows, once fetched, are passed to `batch(rows)` (at most once per evaluation)."""
    base = qs._iterable_class

    class Batched(base):  # type: ignore[misc, valid-type]
        def __iter__(self) -> Iterator[Any]:
            rows = list(super().__iter__())
            if rows:
                batch(rows)
            return iter(rows)

    clone = qs._chain()  # type: ignore[attr-defined]
    clone._iterable_class = Batched
    return clone

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay


class CountableConnection(relay.Connection):  # type: ignore[misc]  # graphene is untyped (Any)
    """A Relay connection with `totalCount` (the length graphene-django already counted)."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True)

    @staticmethod
    def resolve_total_count(root: Any, info: Any) -> int:
        length = getattr(root, "length", None)
        return length if length is not None else len(root.iterable)

"""Custom scalars."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import ValueNode
from graphql.utilities import value_from_ast_untyped


class JSON(graphene.Scalar):  # type: ignore[misc]  # graphene is untyped (Any)
    """A JSON value as itself on the wire (an object stays an object), never a JSON-encoded string."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return value

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Any:
        return value_from_ast_untyped(node, _variables)

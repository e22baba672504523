"""Validation rules that bound what one GraphQL request may cost.

- depth: graphene's depth_limit_validator (GRAPHQL_MAX_DEPTH levels);
- size: at most GRAPHQL_MAX_NODES field selections after expanding fragments, where a
  field under a list of `first: N` counts N times (a cost estimate, not just a node count);
- page size: connection `first`/`last` above GRAPHQL_MAX_PAGE_SIZE is refused by
  graphene-django's RELAY_CONNECTION_MAX_LIMIT;
- batching: GRAPHQL_MAX_BATCH operations per HTTP request (see view.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from graphene.validation import depth_limit_validator
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    specified_rules,
)


class CostLimitRule(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = {f.name.value: f for f in context.document.definitions if f.kind == "fragment_definition"}

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        limit = settings.GRAPHQL_MAX_NODES
        cost = self._cost(node.selection_set, 1, set(), 0)
        if cost > limit:
            self.report_error(
                GraphQLError(
                    f"Query is too large: its estimated cost {cost} exceeds the limit of {limit}. "
                    "Ask for fewer fields or smaller pages.",
                    node,
                    extensions={"code": "QUERY_TOO_COSTLY"},
                )
            )

    def _page(self, field: FieldNode) -> int:
        for arg in field.arguments or ():
            if arg.name.value in ("first", "last"):
                if isinstance(arg.value, IntValueNode):
                    return max(1, min(int(arg.value.value), settings.GRAPHQL_MAX_PAGE_SIZE))
                if isinstance(arg.value, VariableNode):
                    variables = getattr(self.context, "variable_values", None) or {}
                    value = variables.get(arg.value.name.value)
                    if isinstance(value, int):
                        return max(1, min(value, settings.GRAPHQL_MAX_PAGE_SIZE))
                    return 20
        return 1

    def _cost(self, selection_set: SelectionSetNode | None, multiplier: int, seen: set[str], depth: int) -> int:
        if selection_set is None or depth > 50:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                total += multiplier
                total += self._cost(selection.selection_set, multiplier * self._page(selection), seen, depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                total += self._cost(selection.selection_set, multiplier, seen, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    total += self._cost(fragment.selection_set, multiplier, seen | {name}, depth + 1)
            if total > 10**7:  # stop counting absurd documents early
                return total
        return total


def validation_rules() -> list[type[ValidationRule]]:
    # graphql-core's validate() uses the rules it is given INSTEAD of the specification's, so
    # the standard rules must be listed too: without them an unknown field or a missing
    # required argument is not an error at all.
    return [*specified_rules, depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH), CostLimitRule]

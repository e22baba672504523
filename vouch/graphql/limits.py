"""Validation rules that bound what one GraphQL request may cost.

- depth: at most GRAPHQL_MAX_DEPTH nested fields with selections (introspection ignored);
- size: at most GRAPHQL_MAX_NODES field selections after expanding fragments, where a
  field under a list of `first: N` counts N times (a cost estimate, not just a node count);
- page size: connection `first`/`last` above GRAPHQL_MAX_PAGE_SIZE is refused by
  graphene-django's RELAY_CONNECTION_MAX_LIMIT (root connections) and by the resolver of
  MemberSkill.endorsements (nested);
- batching: GRAPHQL_MAX_BATCH operations per HTTP request (see view.py).

The rules read the settings per request (the view builds them per request, binding the
request's variables so that `first: $n` is costed by its value).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
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


class DepthLimitRule(ValidationRule):
    """Refuses operations nested deeper than GRAPHQL_MAX_DEPTH.

    Same measure as graphene's depth_limit_validator (fields with a selection set, through
    fragments, introspection ignored), which Vouch does not use: it recursed forever on a
    fragment cycle and raised KeyError on an unknown fragment, both 500s before the standard
    rules could report them. Here a fragment is entered once per path and unknown ones are
    left to the standard rules.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = {f.name.value: f for f in context.document.definitions if f.kind == "fragment_definition"}
        self.limit = settings.GRAPHQL_MAX_DEPTH

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        depth = self._depth(node.selection_set, 0, frozenset())
        if depth > self.limit:
            name = node.name.value if node.name else "anonymous"
            self.report_error(
                GraphQLError(
                    f"'{name}' exceeds maximum operation depth of {self.limit}.",
                    node,
                    extensions={"code": "QUERY_TOO_DEEP"},
                )
            )

    def _depth(self, selection_set: SelectionSetNode | None, so_far: int, seen: frozenset[str]) -> int:
        if selection_set is None or so_far > self.limit:
            return 0  # past the limit the caller's count already says "too deep"
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self._depth(selection.selection_set, so_far + 1, seen))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self._depth(selection.selection_set, so_far, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    deepest = max(deepest, self._depth(fragment.selection_set, so_far, seen | {name}))
        return deepest


class CostLimitRule(ValidationRule):
    # The request's variables (bound by validation_rules()): graphql-core validates without them.
    variables: dict[str, Any] = {}

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
                value: Any = None
                if isinstance(arg.value, IntValueNode):
                    value = int(arg.value.value)
                elif isinstance(arg.value, VariableNode):
                    value = self.variables.get(arg.value.name.value)
                if not isinstance(value, int) or isinstance(value, bool):
                    return 20
                if value > settings.GRAPHQL_MAX_PAGE_SIZE:
                    # The connections refuse a page over the limit when they run; until then cost it at the
                    # limit, never less, or asking for more than allowed would make a query look cheaper (and
                    # a too-costly query is told so before it runs).
                    return settings.GRAPHQL_MAX_PAGE_SIZE
                return max(1, value)
        return 1

    def _is_connection(self, selection_set: SelectionSetNode | None) -> bool:
        """A Relay connection's selection: its `edges`/`nodes` are the page, the rest is one object."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode) and selection.name.value in ("edges", "nodes"):
                return True
            if isinstance(selection, InlineFragmentNode) and self._is_connection(selection.selection_set):
                return True
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and any(
                    isinstance(s, FieldNode) and s.name.value in ("edges", "nodes")
                    for s in fragment.selection_set.selections
                ):
                    return True
        return False

    def _cost(
        self, selection_set: SelectionSetNode | None, multiplier: int, seen: set[str], depth: int, edge_page: int = 0
    ) -> int:
        # `edge_page`: inside a connection of that page size, only `edges`/`nodes` repeat per
        # row; `totalCount` and `pageInfo` are answered once.
        if selection_set is None or depth > 50:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                own = multiplier * edge_page if edge_page and name in ("edges", "nodes") else multiplier
                total += own
                page = self._page(selection)
                if page > 1 and self._is_connection(selection.selection_set):
                    total += self._cost(selection.selection_set, own, seen, depth + 1, edge_page=page)
                else:
                    total += self._cost(selection.selection_set, own * page, seen, depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                total += self._cost(selection.selection_set, multiplier, seen, depth + 1, edge_page)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    total += self._cost(fragment.selection_set, multiplier, seen | {name}, depth + 1, edge_page)
            if total > 10**7:  # stop counting absurd documents early
                return total
        return total


def validation_rules(variables: dict[str, Any] | None = None) -> list[type[ValidationRule]]:
    # graphql-core's validate() uses the rules it is given INSTEAD of the specification's, so
    # the standard rules must be listed too: without them an unknown field or a missing
    # required argument is not an error at all.
    cost_rule = CostLimitRule
    if variables:
        cost_rule = type("CostLimitRule", (CostLimitRule,), {"variables": dict(variables)})
    return [*specified_rules, DepthLimitRule, cost_rule]

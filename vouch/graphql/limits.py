"""What one GraphQL request may cost (docs/api-limits.md has the table of ordinary and refused queries).

Checked in this order, each refusal a GraphQL error with an `extensions.code`:

1. size, before parsing: at most GRAPHQL_MAX_QUERY_BYTES characters and GRAPHQL_MAX_TOKENS
   tokens (graphql-core's `parse(max_tokens=)`), `QUERY_TOO_LARGE` (documents.py);
2. depth: at most GRAPHQL_MAX_DEPTH nested fields with selections, introspection included
   (`QUERY_TOO_DEEP`);
3. cost: at most GRAPHQL_MAX_COST **objects** (`QUERY_TOO_COSTLY`), the model GitHub's API uses.
   Every field whose type is an object (or interface) counts one per object it can return:
   a connection page counts `first`/`last` (or its default page) for its `edges` and as many
   for their `node`s, a list counts its maximum length (LIST_SIZES), and everything under a
   page or list is multiplied by it. Scalars and enums are free. Introspection counts the
   same way against the real schema (`__schema { types { fields … } }` costs what it returns).
   Counting stops as soon as the limit is passed, and the walk itself is bounded
   (MAX_COST_STEPS), so a crafted document costs the server little to refuse;
4. the specification's rules (unknown fields, …), run only on a document that passed 2-3, so
   an oversized document never reaches the expensive standard rules;
5. page size at run time: `first`/`last` above GRAPHQL_MAX_PAGE_SIZE is refused by the
   connections themselves (graphene-django's RELAY_CONNECTION_MAX_LIMIT, MemberSkill.endorsements);
6. batching: GRAPHQL_MAX_BATCH operations per HTTP request (view.py).

The rules read the settings per request, and the cost rule is bound to the request's variables so
that `first: $n` is costed by its value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    specified_rules,
)
from graphql.type.introspection import TypeMetaFieldDef, introspection_types

# The longest a list field can be, by "Type.field": a constant, a setting, or a function of the
# field's arguments (with their defaults and the resolvers' own caps). A list of objects missing
# here costs GRAPHQL_MAX_PAGE_SIZE; tests/test_graphql_cost.py fails when a list field of the schema
# has no entry, so each new one is decided.
ListSize = Callable[[dict[str, Any]], int]


def _arg(name: str, default: int, cap: int) -> ListSize:
    def size(args: dict[str, Any]) -> int:
        value = args.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            value = default
        return max(0, min(value, cap))

    return size


def _setting(name: str) -> ListSize:
    return lambda args: int(getattr(settings, name))


LIST_SIZES: dict[str, ListSize] = {
    "Query.skills": _arg("first", 10, 50),  # skills.services.search_skills caps at 50
    "Query.similarSkills": _arg("first", 5, 20),  # skills.services.similar_skills caps at 20
    "Query.blockedMembers": _setting("GRAPHQL_MAX_PAGE_SIZE"),  # not capped by the domain: costed as a page
    "Member.skills": _setting("MAX_SKILLS_PER_MEMBER"),
    "Member.badges": _setting("BADGE_MAX_PER_MEMBER"),
    "Member.endorsementsAwaitingReview": _arg("first", 50, 100),  # profiles.schema.REVIEW_QUEUE_MAX
    "MemberSkill.badges": _setting("BADGE_MAX_PER_MEMBER"),
    "MemberSkill.topEndorsements": _arg("limit", 3, 10),
    "MemberSkill.topEndorsers": _arg("limit", 3, 10),
    "Badge.verificationChecks": lambda args: 20,  # one per verifier step; the verifier has fewer
    "Badge.evidence": lambda args: 20,  # what the badge itself lists; costed like the checks
    "Query.badgeCollections": _setting("GRAPHQL_MAX_PAGE_SIZE"),
    "BadgeCollection.badges": _setting("BADGE_MAX_PER_MEMBER"),
    "NotificationPreferences.channels": lambda args: 20,  # one per notification kind; there are fewer
    "Query.skillInsights": _arg("first", 10, 50),  # insights.schema caps at 50
    "SkillInsight.issuers": lambda args: 5,  # insights.selectors.issuers_for: per_skill=5
    "Member.whomToAsk": _arg("first", 6, 20),  # endorsements.suggestions.MAX_SUGGESTIONS
    "AskSuggestion.reasons": lambda args: 3,  # one per source
    "Member.suggestedSkills": lambda args: 5,  # insights.selectors.skills_to_strengthen: first=5
}
# A mutation payload's `errors: [Error!]!`: a handful per input at most.
PAYLOAD_ERRORS = 20
# Connections whose page, when neither `first` nor `last` is given, is not GRAPHQL_MAX_PAGE_SIZE
# (the root connections' default, graphene-django's RELAY_CONNECTION_MAX_LIMIT).
CONNECTION_DEFAULT_PAGE: dict[str, int] = {"MemberSkill.endorsements": 20}
# A bound on the walk itself (fields visited, including free scalars): a document of free fields
# spread through fragments many times over is refused as too costly, not walked for seconds.
MAX_COST_STEPS = 200_000
FREE_OF_TYPE_LEVELS = 8
# One response name at most this many times in one selection set, fragments included (RepeatedFieldsRule).
MAX_SAME_FIELD = 20
# ... and at most this many repetitions in the whole document: OverlappingFieldsCanBeMerged's work multiplies them
# across nesting levels (10 `me` each with 10 `skill`: 1 s; 7 x 7: 0.14 s; refused from there).
MAX_REPEATED_FIELDS = 40


class _Over(Exception):
    """Raised inside the walk as soon as the cost (or the walk) passes its bound."""


def _code_error(message: str, node: Any, code: str) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


class DepthLimitRule(ValidationRule):
    """Refuses operations nested deeper than GRAPHQL_MAX_DEPTH.

    Fields with a selection set count, through fragments and inline fragments, introspection
    included, except the first FREE_OF_TYPE_LEVELS nested `ofType`s (GraphiQL's TypeRef fragment nests
    7 of them; the schema's wrappers are never deeper, and the cost rule counts what they really return).
    A fragment is entered once per path (a cycle is the standard rules' to report) and unknown
    ones are left to the standard rules.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = _fragments(context)
        self.limit: int = settings.GRAPHQL_MAX_DEPTH
        self.memo: dict[tuple[str, int], int] = {}

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        depth = self._depth(node.selection_set, 0, frozenset())
        if depth > self.limit:
            name = node.name.value if node.name else "anonymous"
            self.report_error(
                _code_error(f"'{name}' exceeds maximum operation depth of {self.limit}.", node, "QUERY_TOO_DEEP")
            )

    def _depth(
        self, selection_set: SelectionSetNode | None, so_far: int, seen: frozenset[str], of_types: int = 0
    ) -> int:
        if selection_set is None or so_far > self.limit:
            return 0  # past the limit the caller's count already says "too deep"
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None:
                    continue
                # `ofType` is as deep as the schema's wrappers (NonNull of List of NonNull…), a few levels whatever
                # the document asks: not counted, or GraphiQL's own introspection query would be refused.
                if selection.name.value == "ofType" and of_types < FREE_OF_TYPE_LEVELS:
                    inner = self._depth(selection.selection_set, so_far, seen, of_types + 1)
                    deepest = max(deepest, inner)
                    continue
                deepest = max(deepest, 1 + self._depth(selection.selection_set, so_far + 1, seen))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self._depth(selection.selection_set, so_far, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    # A fragment's own depth does not depend on where it is spread: measured once, or fragments
                    # that spread each other twice over would be walked 2**n times.
                    key = (name, of_types)
                    if key not in self.memo:
                        self.memo[key] = self._depth(fragment.selection_set, 0, seen | {name}, of_types)
                    deepest = max(deepest, self.memo[key])
        return deepest


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)}


class CostLimitRule(ValidationRule):
    """Refuses an operation that can return more than GRAPHQL_MAX_COST objects (see the module docstring)."""

    # The request's variables (bound by validation_rules()): graphql-core validates without them.
    variables: dict[str, Any] = {}

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = _fragments(context)
        self.schema = context.schema

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        limit: int = settings.GRAPHQL_MAX_COST
        cost = operation_cost(self.schema, node, self.fragments, self.variables, limit)
        if cost > limit:
            shown = f"more than {limit}" if cost == limit + 1 else str(cost)
            self.report_error(
                _code_error(
                    f"Query is too costly: it can return {shown} objects, over the limit of {limit}. "
                    "Ask for smaller pages, fewer nested lists or fewer aliases.",
                    node,
                    "QUERY_TOO_COSTLY",
                )
            )


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any] | None = None,
    limit: int | None = None,
) -> int:
    """How many objects `operation` can return at most; `limit + 1` as soon as it is known to be over `limit`."""
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }.get(operation.operation)
    if root is None:
        return 0
    walk = _CostWalk(schema, fragments, variables or {}, limit)
    try:
        return walk.selection(operation.selection_set, root, frozenset())
    except _Over:
        return (limit or 0) + 1


class _CostWalk:
    """Computes the unit cost of a selection (objects per one parent object); callers multiply.

    A fragment's unit cost on a given type (and, in introspection, on a given schema object) does not depend on where
    it is spread, so it is computed once: fragments spreading each other twice over cost a linear walk, not 2**n.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        limit: int | None,
    ) -> None:
        self.schema, self.fragments, self.variables, self.limit = schema, fragments, variables, limit
        self.steps = 0
        self.page_cap: int = settings.GRAPHQL_MAX_PAGE_SIZE
        self.memo: dict[tuple[Any, ...], int] = {}
        self.skills_page = 0  # inside Member.skills: its length (see list_size)

    # --- bookkeeping ---------------------------------------------------------------------------------
    def check(self, cost: int) -> int:
        if self.limit is not None and cost > self.limit:
            raise _Over
        return cost

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_COST_STEPS:
            raise _Over

    def _condition(self, name: str | None, parent: GraphQLNamedType) -> GraphQLNamedType:
        named = self.schema.get_type(name) if name else None
        return named if named is not None else parent

    def spread(self, node: FragmentSpreadNode, parent: GraphQLNamedType, seen: frozenset[str], obj: Any = None) -> int:
        """The unit cost of `...name` (0 for an unknown fragment or a cycle: the standard rules report those)."""
        name = node.name.value
        fragment = self.fragments.get(name)
        if fragment is None or name in seen:
            return 0
        on = self._condition(fragment.type_condition.name.value, parent)
        key = (name, on.name, id(obj), self.skills_page)
        if key not in self.memo:
            if obj is None:
                self.memo[key] = self.selection(fragment.selection_set, on, seen | {name})
            else:
                self.memo[key] = self.meta(fragment.selection_set, on.name, obj, seen | {name})
        return self.memo[key]

    # --- the schema's own types ------------------------------------------------------------------------
    def selection(self, selection_set: SelectionSetNode, parent: GraphQLNamedType, seen: frozenset[str]) -> int:
        total = 0
        for node in selection_set.selections:
            self.step()
            if isinstance(node, InlineFragmentNode):
                on = self._condition(node.type_condition.name.value if node.type_condition else None, parent)
                total += self.selection(node.selection_set, on, seen)
            elif isinstance(node, FragmentSpreadNode):
                total += self.spread(node, parent, seen)
            elif isinstance(node, FieldNode):
                total += self.field(node, parent, seen)
            self.check(total)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType, seen: frozenset[str]) -> int:
        name = node.name.value
        if name in ("__schema", "__type"):
            return self.introspection(node, seen)
        field = _field(parent, name)
        if field is None or node.selection_set is None:
            return 0  # a scalar (free), or an unknown field the standard rules report
        target = get_named_type(field.type)
        if not is_composite_type(target):
            return 0
        args = self.arguments(node, field)
        key = f"{parent.name}.{name}"
        if _is_connection(target):
            return self.check(1 + self.connection(node.selection_set, target, self.page(key, args), seen))
        size = self.list_size(key, field, args)
        if key != "Member.skills":
            return self.check(size * (1 + self.selection(node.selection_set, target, seen)))
        # A member's badges are at most BADGE_MAX_PER_MEMBER in all, however they are spread over the skills.
        outer, self.skills_page = self.skills_page, size
        try:
            return self.check(size * (1 + self.selection(node.selection_set, target, seen)))
        finally:
            self.skills_page = outer

    def connection(
        self, selection_set: SelectionSetNode, connection: GraphQLNamedType, page: int, seen: frozenset[str]
    ) -> int:
        """Inside a connection `edges`/`nodes` are the page; `pageInfo` and the rest are one object each."""
        total = 0
        for node in selection_set.selections:
            self.step()
            if isinstance(node, InlineFragmentNode):
                total += self.connection(node.selection_set, connection, page, seen)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None and node.name.value not in seen:
                    key = ("connection", node.name.value, connection.name, page)
                    if key not in self.memo:
                        self.memo[key] = self.connection(
                            fragment.selection_set, connection, page, seen | {node.name.value}
                        )
                    total += self.memo[key]
            elif isinstance(node, FieldNode):
                field = _field(connection, node.name.value)
                if field is None or node.selection_set is None:
                    continue
                target = get_named_type(field.type)
                if not is_composite_type(target):
                    continue
                size = page if _is_list(field.type) else 1
                total += size * (1 + self.selection(node.selection_set, target, seen))
            self.check(total)
        return total

    def page(self, key: str, args: dict[str, Any]) -> int:
        given = [
            v for k, v in args.items() if k in ("first", "last") and isinstance(v, int) and not isinstance(v, bool)
        ]
        if not given:
            return CONNECTION_DEFAULT_PAGE.get(key, self.page_cap)
        # Over the cap the connection refuses when it runs; until then cost it at the cap, never less, or asking for
        # more than allowed would make a query look cheaper than asking for the cap.
        return max(0, min(max(given), self.page_cap))

    def list_size(self, key: str, field: GraphQLField, args: dict[str, Any]) -> int:
        if not _is_list(field.type):
            return 1
        size = LIST_SIZES.get(key)
        if key == "MemberSkill.badges" and self.skills_page:
            # Under Member.skills (n of them) the badges of all the skills together are at most BADGE_MAX_PER_MEMBER:
            # n x ceil(max / n) is that bound (rounded up), not n x max.
            return -(-int(settings.BADGE_MAX_PER_MEMBER) // self.skills_page)
        if size is not None:
            return size(args)
        if key.endswith(".errors") and get_named_type(field.type).name == "Error":
            return PAYLOAD_ERRORS
        return self.page_cap

    def arguments(self, node: FieldNode, field: GraphQLField) -> dict[str, Any]:
        """The integer arguments the sizes read (literals or variables), over the field's defaults."""
        out: dict[str, Any] = {}
        for arg in node.arguments or ():
            if isinstance(arg.value, IntValueNode):
                out[arg.name.value] = int(arg.value.value)
            elif isinstance(arg.value, VariableNode):
                out[arg.name.value] = self.variables.get(arg.value.name.value)
        for name, definition in field.args.items():
            if name not in out and isinstance(definition.default_value, int):
                out[name] = definition.default_value
        return out

    # --- introspection, counted against the real schema ----------------------------------------------------
    def introspection(self, node: FieldNode, seen: frozenset[str]) -> int:
        if node.selection_set is None:
            return 0
        if node.name.value == "__schema":
            return self.check(1 + self.meta(node.selection_set, "__Schema", self.schema, seen))
        name = None
        for arg in node.arguments or ():
            if arg.name.value == "name":
                value = arg.value
                if isinstance(value, VariableNode):
                    name = self.variables.get(value.name.value)
                else:
                    name = getattr(value, "value", None)
        named = self.schema.get_type(name) if isinstance(name, str) else None
        if named is None:
            return 0
        return self.check(1 + self.meta(node.selection_set, "__Type", named, seen))

    def meta(self, selection_set: SelectionSetNode, type_name: str, obj: Any, seen: frozenset[str]) -> int:
        total = 0
        for node in selection_set.selections:
            self.step()
            if isinstance(node, InlineFragmentNode):
                total += self.meta(node.selection_set, type_name, obj, seen)
            elif isinstance(node, FragmentSpreadNode):
                total += self.spread(node, introspection_types[type_name], seen, obj)
            elif isinstance(node, FieldNode) and node.selection_set is not None:
                children = self.meta_children(type_name, node.name.value, obj)
                if children is None:
                    continue
                child_type, objects = children
                for child in objects:
                    total += 1 + self.meta(node.selection_set, child_type, child, seen)
                    self.check(total)
            self.check(total)
        return total

    def meta_children(self, type_name: str, field: str, obj: Any) -> tuple[str, list[Any]] | None:
        """The introspection objects `obj.field` returns, as (their type, the list of them)."""
        schema = self.schema
        if type_name == "__Schema":
            if field == "types":
                return "__Type", list(schema.type_map.values())
            if field in ("queryType", "mutationType", "subscriptionType"):
                root = getattr(schema, field.replace("Type", "_type"))
                return "__Type", [root] if root is not None else []
            if field == "directives":
                return "__Directive", list(schema.directives)
            return None
        if type_name == "__Type":
            if field == "fields" and isinstance(obj, (GraphQLObjectType, GraphQLInterfaceType)):
                return "__Field", list(obj.fields.values())
            if field == "interfaces" and isinstance(obj, (GraphQLObjectType, GraphQLInterfaceType)):
                return "__Type", list(obj.interfaces)
            if field == "possibleTypes" and is_abstract_type(obj):
                return "__Type", list(schema.get_possible_types(obj))
            if field == "enumValues" and isinstance(obj, GraphQLEnumType):
                return "__EnumValue", list(obj.values.values())
            if field == "inputFields" and isinstance(obj, GraphQLInputObjectType):
                return "__InputValue", list(obj.fields.values())
            if field == "ofType" and isinstance(obj, (GraphQLList, GraphQLNonNull)):
                return "__Type", [obj.of_type]
            return None
        if type_name in ("__Field", "__Directive") and field == "args":
            return "__InputValue", list(obj.args.values())
        if type_name in ("__Field", "__InputValue") and field == "type":
            assert isinstance(obj, (GraphQLField, GraphQLArgument, GraphQLInputField))
            return "__Type", [obj.type]
        return None


def _field(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None  # a union's only field is __typename (free)


def _is_list(output: GraphQLOutputType) -> bool:
    """A list field (`[T]` or `[T]!`): costed by its page or list size, not as one object."""
    return isinstance(output.of_type if isinstance(output, GraphQLNonNull) else output, GraphQLList)


def _is_connection(target: GraphQLNamedType) -> bool:
    """A Relay connection type: an object with `edges` and `pageInfo` (graphene's and Vouch's own)."""
    return isinstance(target, GraphQLObjectType) and "edges" in target.fields and "pageInfo" in target.fields


class RepeatedFieldsRule(ValidationRule):
    """Refuses a selection that asks for one response name more than MAX_SAME_FIELD times (fragments included),
    and a document with more than MAX_REPEATED_FIELDS such repetitions in all.

    The specification's OverlappingFieldsCanBeMerged compares every pair of fields that share a response name: a
    document of 990 `me { username }` took 7 s to validate. Clients repeat a field a few times at most (the same `id`
    in several fragments); a repetition is answered once anyway.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = _fragments(context)
        self.memo: dict[str, dict[str, int]] = {}
        self.reported = False
        self.repeats = 0

    def enter_selection_set(self, node: SelectionSetNode, *_: Any) -> None:
        if self.reported:
            return
        counts = self._names(node, frozenset())
        self.repeats += sum(count - 1 for count in counts.values() if count > 1)
        if self.repeats > MAX_REPEATED_FIELDS:
            self.reported = True
            self.report_error(
                _code_error(
                    f"The document repeats fields more than {MAX_REPEATED_FIELDS} times (fragments included).",
                    node,
                    "QUERY_TOO_COSTLY",
                )
            )
            return
        for name, count in counts.items():
            if count > MAX_SAME_FIELD:
                self.reported = True
                self.report_error(
                    _code_error(
                        f"'{name}' is selected {count} times in one selection; at most {MAX_SAME_FIELD}.",
                        node,
                        "QUERY_TOO_COSTLY",
                    )
                )
                return

    def _names(self, node: SelectionSetNode, seen: frozenset[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                counts[name] = counts.get(name, 0) + 1
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self._names(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment_name = selection.name.value
                fragment = self.fragments.get(fragment_name)
                if fragment is None or fragment_name in seen:
                    continue
                if fragment_name not in self.memo:
                    self.memo[fragment_name] = self._names(fragment.selection_set, seen | {fragment_name})
                inner = self.memo[fragment_name]
            else:
                continue
            for name, count in inner.items():
                counts[name] = min(counts.get(name, 0) + count, 10**6)
        return counts


def limit_rules(variables: dict[str, Any] | None = None) -> list[type[ValidationRule]]:
    """Vouch's own rules (depth, cost), bound to the request's variables: run BEFORE the standard rules."""
    cost_rule: type[CostLimitRule] = CostLimitRule
    if variables:
        cost_rule = type("CostLimitRule", (CostLimitRule,), {"variables": dict(variables)})
    return [DepthLimitRule, RepeatedFieldsRule, cost_rule]


def validation_rules(variables: dict[str, Any] | None = None) -> list[type[ASTValidationRule]]:
    # graphql-core's validate() uses the rules it is given INSTEAD of the specification's, so
    # the standard rules must be listed too: without them an unknown field or a missing
    # required argument is not an error at all.
    return [*specified_rules, *limit_rules(variables)]


__all__ = ["CostLimitRule", "DepthLimitRule", "RepeatedFieldsRule", "limit_rules", "operation_cost", "validation_rules"]

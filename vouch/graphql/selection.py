"""What a query selects below the current field, so resolvers prefetch only that.

graphene-django's view is synchronous and graphene 3's DataLoader is async, so instead
of batching loaders Vouch prefetches in the root resolvers, driven by the selection set
(see docs/architecture.md). This helper flattens the selection (fragments included) into
dotted paths such as "skills.skill.name" or "edges.node.skills.endorsements.edges.node".
"""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from graphql.type import GraphQLResolveInfo


def selected_paths(info: GraphQLResolveInfo) -> frozenset[str]:
    paths: set[str] = set()
    for node in info.field_nodes:
        _collect(node.selection_set, "", info, paths, depth=0)
    return frozenset(paths)


def _collect(
    selection_set: SelectionSetNode | None, prefix: str, info: GraphQLResolveInfo, out: set[str], depth: int
) -> None:
    if selection_set is None or depth > 20:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            path = f"{prefix}{selection.name.value}"
            out.add(path)
            _collect(selection.selection_set, path + ".", info, out, depth + 1)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, prefix, info, out, depth + 1)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None:
                _collect(fragment.selection_set, prefix, info, out, depth + 1)


def wants(paths: frozenset[str], prefix: str) -> bool:
    """True when the selection includes `prefix` or anything below it."""
    return prefix in paths or any(p.startswith(prefix + ".") for p in paths)


def below(paths: frozenset[str], prefix: str) -> frozenset[str]:
    """The paths under `prefix`, re-rooted (for handing down to a nested helper)."""
    cut = len(prefix) + 1
    return frozenset(p[cut:] for p in paths if p.startswith(prefix + "."))

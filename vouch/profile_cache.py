"""Anonymous reads answered from a cache: the profile and the member list by skill (docs/architecture.md,
"Profile read cache").

What is cached, for whom: the whole HTTP response body of a `POST /graphql/` whose document is exactly one query with
one root field, asked by an anonymous visitor (no session user, no X-Session-Token), either
* `member(username:)` selecting only fields of the public profile (PROFILE_FIELDS: the member's public fields, their
  skills with score, count, top endorsements with the endorser's name, and badges), or
* `members(skill:, first:, after:)` selecting only the page (MEMBERS_FIELDS: totalCount, pageInfo, each edge's cursor
  and the member's public profile fields). The search it answers is a demand signal (insights): a response served
  from the cache records it too (the view keeps the skill with the entry), as the resolver would have.
Keyed by the document text, the variables and the write generation. Signed-in viewers are never served from it (they
may see hidden endorsements, members-only profiles, …), nor is a request sent with `Cache-Control: no-cache` (its
answer is computed and stored afresh).

Invalidation: every database write to a table such a response reads (PROFILE_TABLES) bumps the write generation when
its transaction commits (once per transaction; at once in autocommit), whichever code path wrote it (services, jobs,
the admin, raw SQL): a connection-level execute wrapper, no model signals and nothing a service must remember to
call. Entries of an older generation are never read again and expire after PROFILE_CACHE_SECONDS, which also bounds
how long a value that changes with time alone (a badge passing its expiry) can be served. The generation lives in the
default cache, shared by every process only when that is Redis: hence the cache is on by default only with REDIS_URL.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from graphql import DocumentNode, FieldNode, OperationDefinitionNode, OperationType, SelectionSetNode

PROFILE_TABLES = re.compile(
    r"\b(profiles_user|profiles_profile|skills_memberskill|skills_skill|skills_skillalias|endorsements_endorsement"
    r"|badges_badge)\b"
)
_WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "TRUNCATE", "REPLACE")
GENERATION_KEY = "profile-cache:generation"

# The public profile: each path's allowed fields (aliases and __typename allowed; no fragments, no directives).
PROFILE_FIELDS: dict[str, set[str]] = {
    "member": {"username", "displayName", "headline", "seniority", "title", "organisation", "badges", "skills"},
    "member.badges": {"name", "issuerName"},
    "member.skills": {"skill", "score", "endorsementCount", "topEndorsements", "badges"},
    "member.skills.skill": {"name", "slug"},
    "member.skills.badges": {"name", "issuerName"},
    "member.skills.topEndorsements": {"weight", "weightExplanation", "endorser"},
    "member.skills.topEndorsements.endorser": {"username", "displayName"},
}
# The member list by skill (ranked listings of public profiles): the page, nothing read per member beyond the profile.
MEMBERS_FIELDS: dict[str, set[str]] = {
    "members": {"totalCount", "pageInfo", "edges"},
    "members.pageInfo": {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"},
    "members.edges": {"cursor", "node"},
    "members.edges.node": {"id", "username", "displayName", "headline", "seniority", "title", "organisation"},
}
_FIELDS = {**PROFILE_FIELDS, **MEMBERS_FIELDS}
_ARGUMENTS = {
    "member": {"username"},
    "member.skills.topEndorsements": {"limit"},
    "members": {"skill", "first", "after"},
}


def seconds() -> int:
    return int(getattr(settings, "PROFILE_CACHE_SECONDS", 0) or 0)


# --- invalidation ---------------------------------------------------------------------------------------------------
def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from every key in use... start high
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)


def _bump_on_commit() -> None:
    bump()


def watch_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """Execute wrapper on every connection (vouch.apps): a write to a profile table bumps the generation when its
    transaction commits (once per transaction, whatever it wrote; a read before the commit cannot see the write, and
    what it cached is of the generation the commit leaves behind). A write outside a transaction (autocommit) is its
    own commit and bumps at once; so does every write in a test case's transaction (Django's TestCase: the outermost
    block, never committed)."""
    result = execute(sql, params, many, context)
    if not seconds():
        return result
    if sql.lstrip()[:8].upper().startswith(_WRITES) and PROFILE_TABLES.search(sql):
        connection = context["connection"]
        if not connection.in_atomic_block or getattr(connection.atomic_blocks[0], "_from_testcase", False):
            bump()
        if connection.in_atomic_block and not any(f is _bump_on_commit for _, f, _ in connection.run_on_commit):
            connection.on_commit(_bump_on_commit)
    return result


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: wrap the new connection's statements (once)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


# --- what may be cached ----------------------------------------------------------------------------------------------
def cacheable_root(document: DocumentNode) -> str | None:
    """ "member" or "members" when the document may be answered from the cache: one query operation, one root field
    `member` with only PROFILE_FIELDS below it, or `members` with only MEMBERS_FIELDS; else None."""
    if len(document.definitions) != 1:
        return None
    operation = document.definitions[0]
    if not isinstance(operation, OperationDefinitionNode) or operation.operation != OperationType.QUERY:
        return None
    roots = operation.selection_set.selections
    if len(roots) != 1 or not isinstance(roots[0], FieldNode) or roots[0].name.value not in ("member", "members"):
        return None
    root = roots[0].name.value
    return root if _allowed(roots[0], root) else None


def _allowed(field: FieldNode, path: str) -> bool:
    if field.directives or any(a.name.value not in _ARGUMENTS.get(path, set()) for a in field.arguments or ()):
        return False
    selection_set: SelectionSetNode | None = field.selection_set
    if selection_set is None:
        return path not in _FIELDS  # an object field must select something
    allowed = _FIELDS.get(path)
    if allowed is None:
        return False
    for child in selection_set.selections:
        if not isinstance(child, FieldNode):
            return False
        name = child.name.value
        if name == "__typename" and not child.selection_set:
            continue
        if name not in allowed or not _allowed(child, f"{path}.{name}"):
            return False
    return True


def key(query: str, variables: Any, operation_name: Any) -> str:
    raw = json.dumps([query, variables, operation_name], sort_keys=True, separators=(",", ":"), default=str)
    return f"profile-cache:{generation()}:{hashlib.sha256(raw.encode()).hexdigest()}"

"""The full profile read: a member with every skill's score, count and top 3 endorsers.

Measured through the HTTP GraphQL endpoint (Django's test client: the whole view, parsing,
validation, execution and JSON), beside the same rows read by ONE hand-written SQL query in
the same run. Also: SQL statements per request, and the ORM prefetch alone (no GraphQL) to
show where the time goes.
"""

from __future__ import annotations

import json

from django.db import connection
from django.test import Client

from bench import BenchContext, Result, benchmark, timed
from bench.datasets import network

PROFILE = """
query($username: String!) {
  member(username: $username) {
    username displayName seniority
    skills {
      skill { name slug }
      score endorsementCount
      endorsements(first: 3) { edges { node { endorser { username displayName } weight weightExplanation } } }
    }
  }
}
"""

# The same rows, by hand: the member, each listing in order, its top 3 visible endorsements.
SQL = """
SELECT u.username, p.display_name, p.seniority, s.name, s.slug, ms.score, ms.endorsement_count,
       t.username, t.display_name, t.weight, t.explanation
FROM profiles_user u
JOIN profiles_profile p ON p.user_id = u.id
JOIN skills_memberskill ms ON ms.member_id = u.id
JOIN skills_skill s ON s.id = ms.skill_id
LEFT JOIN (
    SELECT e.member_skill_id, eu.username, ep.display_name, e.weight, e.explanation,
           ROW_NUMBER() OVER (PARTITION BY e.member_skill_id ORDER BY e.weight DESC, e.id) AS rn
    FROM endorsements_endorsement e
    JOIN profiles_user eu ON eu.id = e.endorser_id
    JOIN profiles_profile ep ON ep.user_id = eu.id
    WHERE e.member_id = (SELECT id FROM profiles_user WHERE username = %s) AND NOT e.hidden AND eu.is_active
) t ON t.member_skill_id = ms.id AND t.rn <= 3
WHERE u.username = %s
ORDER BY ms.position, ms.id, t.rn
"""


def _graphql(client: Client, username: str) -> dict:
    response = client.post(
        "/graphql/", json.dumps({"query": PROFILE, "variables": {"username": username}}), content_type="application/json"
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"profile query failed: {response.status_code} {str(body)[:500]}")
    return body


def _sql(username: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(SQL, [username, username])
        return cursor.fetchall()


def _orm(username: str) -> list:
    from profiles.schema import prefetch_members
    from profiles.permissions import visible_members

    paths = frozenset({
        "skills", "skills.skill", "skills.skill.name", "skills.skill.slug", "skills.score", "skills.endorsementCount",
        "skills.endorsements", "skills.endorsements.edges", "skills.endorsements.edges.node",
        "skills.endorsements.edges.node.endorser", "skills.endorsements.edges.node.endorser.username",
        "skills.endorsements.edges.node.weight",
    })
    from django.contrib.auth.models import AnonymousUser

    viewer = AnonymousUser()
    member = prefetch_members(visible_members(viewer), viewer, paths).get(username=username)
    return [(ms.skill.name, ms.score, [(e.endorser.username, e.weight) for e in ms.endorsement_window[:3]]) for ms in member.listed_skills]


@benchmark("profile")
def profile_query(ctx: BenchContext) -> list[Result]:
    net = network(ctx)
    client = Client()
    username = net.target

    # Sanity: GraphQL and the hand-written SQL agree on every skill's top endorsers.
    body = _graphql(client, username)
    graph_top = [
        [e["node"]["endorser"]["username"] for e in s["endorsements"]["edges"]] for s in body["data"]["member"]["skills"]
    ]
    sql_top: dict[str, list[str]] = {}
    order: list[str] = []
    for row in _sql(username):
        if row[4] not in sql_top:
            order.append(row[4])
            sql_top[row[4]] = []
        if row[7] is not None:
            sql_top[row[4]].append(row[7])
    if graph_top != [sql_top[slug] for slug in order]:
        raise RuntimeError("GraphQL and SQL disagree on the top endorsers: the benchmark would compare different work")

    statements: list[str] = []

    def count(execute, sql, params, many, context):  # noqa: ANN001 - Django's execute_wrapper signature
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        _graphql(client, username)
    graph = timed(lambda: _graphql(client, username), ctx.repeat)
    orm = timed(lambda: _orm(username), ctx.repeat)
    raw = timed(lambda: _sql(username), ctx.repeat)
    data = {
        "members": net.members,
        "endorsements": net.endorsements,
        "skills": net.target_skills,
        "target_endorsements": net.target_endorsements,
    }
    return [
        Result("profile: GraphQL over HTTP (median)", graph["median"], "ms", raw["median"], "one SQL query",
               {"p95_ms": round(graph["p95"], 2), **data}),
        Result("profile: ORM prefetch, no GraphQL (median)", orm["median"], "ms", raw["median"], "one SQL query"),
        Result("profile: SQL statements per request", len(statements), "queries", 1, "hand-written"),
    ]

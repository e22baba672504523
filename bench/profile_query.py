"""The full profile read: a member with every skill's score, count, top 3 endorsers and badges.

Three ways to serve the same data, measured in the same run against the seeded network's
`target` (50 skills, 10,000 endorsements at full scale), as an anonymous visitor:

* GraphQL: POST /graphql/ to a real Daphne server (tests/live_server.py), DEBUG off, over a
  keep-alive HTTP connection — parsing, validation, execution and JSON included;
* the baseline a Django developer would write: a plain JSON view (bench/views.py) on the
  same server, same HTTP client;
* the floor: the same rows read by ONE hand-written SQL query, in this process (no HTTP).

Every response is checked to carry the same data before anything is timed. SQL statements per
request are counted in-process (Django's test client, same code path) for both views.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from bench import BenchContext, Result, benchmark, interleaved, timed
from bench.datasets import network
from bench.live import server

PROFILE = """
query Profile($username: String!) {
  member(username: $username) {
    username displayName headline seniority
    badges { name issuerName }
    skills {
      skill { name slug }
      score endorsementCount
      topEndorsements(limit: 3) { weight weightExplanation endorser { username displayName } }
      badges { name issuerName }
    }
  }
}
"""

# The same rows by hand: each listing with its top 3 visible endorsements, then the badges.
# PostgreSQL: a LATERAL join per listing that walks the (member_skill, -weight, id) index and stops after 3.
_ENDORSEMENT_COLUMNS = "eu.username, ep.display_name, e.weight, e.explanation, e.id"
_VISIBLE = "NOT e.hidden AND eu.is_active AND ep.visibility = 'PUBLIC'"
SQL_POSTGRESQL = f"""
SELECT 'e', ms.position, ms.id, s.name, s.slug, ms.score, ms.endorsement_count, t.username, t.display_name,
       t.weight, t.explanation, t.id
FROM profiles_user u
JOIN profiles_profile p ON p.user_id = u.id
JOIN skills_memberskill ms ON ms.member_id = u.id
JOIN skills_skill s ON s.id = ms.skill_id
LEFT JOIN LATERAL (
    SELECT {_ENDORSEMENT_COLUMNS}
    FROM endorsements_endorsement e
    JOIN profiles_user eu ON eu.id = e.endorser_id
    JOIN profiles_profile ep ON ep.user_id = eu.id
    WHERE e.member_skill_id = ms.id AND {_VISIBLE}
    ORDER BY e.weight DESC, e.id LIMIT 3
) t ON TRUE
WHERE u.username = %s AND u.is_active AND p.visibility = 'PUBLIC'
UNION ALL
SELECT 'b', NULL, b.member_skill_id, b.name, b.issuer_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM badges_badge b JOIN profiles_user u ON u.id = b.owner_id
WHERE u.username = %s AND b.status = 'VERIFIED' AND b.public
  AND (b.expires_at IS NULL OR b.expires_at > CURRENT_TIMESTAMP)
ORDER BY 1 DESC, 2, 3, 10 DESC, 12
"""
# Elsewhere (SQLite): no LATERAL; rank with a window function.
SQL_OTHER = f"""
SELECT 'e', ms.position, ms.id, s.name, s.slug, ms.score, ms.endorsement_count, t.username, t.display_name,
       t.weight, t.explanation, t.id
FROM profiles_user u
JOIN profiles_profile p ON p.user_id = u.id
JOIN skills_memberskill ms ON ms.member_id = u.id
JOIN skills_skill s ON s.id = ms.skill_id
LEFT JOIN (
    SELECT e.member_skill_id, {_ENDORSEMENT_COLUMNS},
           ROW_NUMBER() OVER (PARTITION BY e.member_skill_id ORDER BY e.weight DESC, e.id) AS rn
    FROM endorsements_endorsement e
    JOIN profiles_user eu ON eu.id = e.endorser_id
    JOIN profiles_profile ep ON ep.user_id = eu.id
    WHERE e.member_id = (SELECT id FROM profiles_user WHERE username = %s) AND {_VISIBLE}
) t ON t.member_skill_id = ms.id AND t.rn <= 3
WHERE u.username = %s AND u.is_active AND p.visibility = 'PUBLIC'
UNION ALL
SELECT 'b', NULL, b.member_skill_id, b.name, b.issuer_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM badges_badge b JOIN profiles_user u ON u.id = b.owner_id
WHERE u.username = %s AND b.status = 'VERIFIED' AND b.public
  AND (b.expires_at IS NULL OR b.expires_at > CURRENT_TIMESTAMP)
ORDER BY 1 DESC, 2, 3, 10 DESC, 12
"""


def _sql(username: str) -> list[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(SQL_POSTGRESQL, [username, username])
        else:
            cursor.execute(SQL_OTHER, [username, username, username])
        return cursor.fetchall()


def _top_from_sql(rows: list[tuple]) -> list[list[str]]:
    top: dict[int, list[str]] = {}
    for row in rows:
        if row[0] == "e":
            top.setdefault(row[2], [])
            if row[7] is not None:
                top[row[2]].append(row[7])
    return list(top.values())


def _top_from_body(body: dict[str, Any]) -> list[list[str]]:
    return [[e["endorser"]["username"] for e in s["topEndorsements"]] for s in body["member"]["skills"]]


def _count_statements(fn: Any) -> int:
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    return len(statements)


@benchmark("profile")
def profile_query(ctx: BenchContext) -> list[Result]:
    net = network(ctx)
    live = server()
    username = net.target
    http = httpx.Client(base_url=live.url, timeout=60)
    payload = json.dumps({"query": PROFILE, "variables": {"username": username}})
    headers = {"Content-Type": "application/json"}

    def graphql() -> bytes:
        response = http.post("/graphql/", content=payload, headers=headers)
        if response.status_code != 200 or b'"errors"' in response.content[:20]:
            raise RuntimeError(f"profile query failed: {response.status_code} {response.text[:500]}")
        return response.content

    def view() -> bytes:
        response = http.get(f"/bench/profile/{username}")
        if response.status_code != 200:
            raise RuntimeError(f"bench view failed: {response.status_code} {response.text[:500]}")
        return response.content

    # Sanity: all three carry the same data, so they are compared doing the same work.
    graph_body = json.loads(graphql())["data"]
    view_body = json.loads(view())
    if graph_body != view_body:
        raise RuntimeError("GraphQL and the hand-written view disagree: the benchmark would compare different work")
    if _top_from_body(graph_body) != _top_from_sql(_sql(username)):
        raise RuntimeError("GraphQL and the SQL floor disagree on the top endorsers")
    skills = graph_body["member"]["skills"]
    shown = {
        "skills": len(skills),
        "endorsers_shown": sum(len(s["topEndorsements"]) for s in skills),
        "badges_shown": len(graph_body["member"]["badges"]) + sum(len(s["badges"]) for s in skills),
        "response_kib": round(len(graphql()) / 1024, 1),
    }

    client = Client()
    graph_statements = _count_statements(lambda: client.post("/graphql/", payload, content_type="application/json"))
    with override_settings(ROOT_URLCONF="bench.urls"):
        view_statements = _count_statements(lambda: client.get(f"/bench/profile/{username}"))

    # The two HTTP measurements interleaved call by call, so drift (other load, caches) hits both alike.
    graph, hand = interleaved([graphql, view], max(ctx.repeat, 30))
    floor = timed(lambda: _sql(username), max(ctx.repeat, 30))
    http.close()
    return [
        Result(
            "profile: GraphQL over HTTP, median",
            graph["median"],
            "ms",
            hand["median"],
            "hand-written JSON view over HTTP",
            {"p95_ms": round(graph["p95"], 2), "view_p95_ms": round(hand["p95"], 2), **shown},
        ),
        Result(
            "profile: GraphQL over HTTP vs SQL floor", graph["median"], "ms", floor["median"], "one SQL query, no HTTP"
        ),
        Result(
            "profile: hand-written view vs SQL floor", hand["median"], "ms", floor["median"], "one SQL query, no HTTP"
        ),
        Result(
            "profile: SQL statements per request (GraphQL)",
            graph_statements,
            "queries",
            view_statements,
            "hand-written view",
            {"floor": 1},
        ),
    ]

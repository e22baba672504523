"""`members(skill:, first: 20)`: the ranked search through the HTTP GraphQL endpoint vs the equivalent SQL.

The skill is the most listed one (the largest ranking). The SQL is what the page needs: the
first 21 listings of the skill by score (one more tells whether there is a next page) with
their members, plus the total count GraphQL's connection returns. On PostgreSQL the plan of
the ORM's query is recorded (EXPLAIN ANALYZE), to show it walks the (skill, -score, id) index.
Two rows: as an anonymous visitor gets it (from the profile read cache once warm) and computed afresh
(`Cache-Control: no-cache`: the resolvers and their SQL on every request).
"""

from __future__ import annotations

import json

import httpx
from django.db import connection
from django.db.models import Count

from bench import BenchContext, Result, benchmark, timed
from bench.datasets import network
from bench.live import server

SEARCH = """
query Search($skill: String!) {
  members(skill: $skill, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { username displayName headline } }
  }
}
"""

SQL_PAGE = """
SELECT u.username, p.display_name, p.headline
FROM skills_memberskill ms
JOIN profiles_user u ON u.id = ms.member_id
JOIN profiles_profile p ON p.user_id = u.id
WHERE ms.skill_id = %s AND u.is_active AND p.visibility = 'PUBLIC'
ORDER BY ms.score DESC, ms.id
LIMIT 21
"""
SQL_COUNT = """
SELECT COUNT(*) FROM skills_memberskill ms
JOIN profiles_user u ON u.id = ms.member_id
JOIN profiles_profile p ON p.user_id = u.id
WHERE ms.skill_id = %s AND u.is_active AND p.visibility = 'PUBLIC'
"""


@benchmark("search")
def search(ctx: BenchContext) -> list[Result]:
    from django.contrib.auth.models import AnonymousUser

    from profiles.selectors import search_members
    from skills.models import Skill

    network(ctx)
    skill = Skill.objects.annotate(n=Count("member_skills")).order_by("-n", "id").first()
    assert skill is not None
    http = httpx.Client(base_url=server().url, timeout=60)
    payload = json.dumps({"query": SEARCH, "variables": {"skill": skill.name}})

    def graphql(fresh: bool = False) -> dict:
        headers = {"Content-Type": "application/json"}
        if fresh:  # past the anonymous read cache: the resolvers and their SQL run every time
            headers["Cache-Control"] = "no-cache"
        response = http.post("/graphql/", content=payload, headers=headers)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"members query failed: {response.status_code} {str(body)[:500]}")
        return body["data"]["members"]

    def sql() -> tuple[list[tuple], int]:
        with connection.cursor() as cursor:
            cursor.execute(SQL_PAGE, [skill.pk])
            rows = cursor.fetchall()
            cursor.execute(SQL_COUNT, [skill.pk])
            return rows, cursor.fetchone()[0]

    page = graphql()
    rows, total = sql()
    if [e["node"]["username"] for e in page["edges"]] != [r[0] for r in rows[:20]] or page["totalCount"] != total:
        raise RuntimeError("GraphQL and SQL disagree on the ranking: the benchmark would compare different work")

    extra: dict = {"skill_listed_by": skill.n, "visible": total}
    if connection.vendor == "postgresql":
        qs = search_members(AnonymousUser(), skill=skill.name)[:21]
        plan = qs.explain(analyze=True)
        extra["uses_rank_index"] = "memberskill_rank_idx" in plan
        extra["plan_top"] = plan.splitlines()[0].strip()[:120]
        print("   EXPLAIN ANALYZE members(skill:) page:\n      " + "\n      ".join(plan.splitlines()[:14]), flush=True)
    graph = timed(graphql, max(ctx.repeat, 30))
    uncached = timed(lambda: graphql(fresh=True), max(ctx.repeat, 30))
    floor = timed(sql, max(ctx.repeat, 30))
    http.close()
    return [
        Result(
            "search: members(skill:, first: 20) over HTTP, median",
            graph["median"],
            "ms",
            floor["median"],
            "equivalent SQL (page + count), no HTTP",
            {"p95_ms": round(graph["p95"], 2), "served_from": "anonymous read cache", **extra},
        ),
        Result(
            "search: members(skill:, first: 20) over HTTP, uncached (Cache-Control: no-cache), median",
            uncached["median"],
            "ms",
            floor["median"],
            "equivalent SQL (page + count), no HTTP",
            {"p95_ms": round(uncached["p95"], 2)},
        ),
    ]

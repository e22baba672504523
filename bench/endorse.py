"""`endorse` mutations per second, through the HTTP GraphQL endpoint, vs bare inserts of the same rows.

Signed-in endorsers (session cookie + CSRF token, as the browser sends them) endorse members
of the seeded network one after another on the bench's live server: each mutation is the whole
service (visibility, locks, checks, daily cap, weighing from the endorser's signals, score
recompute, notification, re-weighing what the endorsed member gave that the change can affect:
docs/weighting.md) in its transaction. The
baseline inserts the same rows (same weights) with one plain INSERT per row, each committed
on its own, after the mutations' rows were deleted; the scores are then recomputed so the
network stays as the services left it. The in-process row calls the service directly (no HTTP, no
GraphQL) and then runs the settling jobs the mutations enqueued (endorsements.tasks.settle_endorsement:
the endorsed members' trust push and cascade, off the request path) with a worker batch, timed apart.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from datetime import UTC

import httpx
from django.db import connection

from bench import BenchContext, Result, benchmark
from bench.datasets import _model_defaults, network
from bench.live import server

ENDORSE = """
mutation Endorse($input: EndorseInput!) {
  endorse(input: $input) {
    endorsement { weight }
    memberSkill { score endorsementCount }
    errors { field code message }
  }
}
"""


def _plan(count: int) -> list[tuple[int, str, str]]:
    """(endorser id, member username, skill name) triples that are not endorsed yet."""
    from endorsements.models import Endorsement
    from profiles.models import User
    from skills.models import MemberSkill

    rng = random.Random(11)
    endorsers = list(User.objects.exclude(username="target").order_by("id").values_list("id", flat=True)[:40])
    listings = list(
        MemberSkill.objects.exclude(member__username="target")
        .exclude(member_id__in=endorsers)
        .order_by("id")
        .values_list("member_id", "member__username", "skill_id", "skill__name")[:4000]
    )
    done = set(
        Endorsement.objects.filter(endorser_id__in=endorsers).values_list("endorser_id", "member_id", "skill_id")
    )
    # One relationship per endorser and member (a later one keeps the first): the plan endorses as
    # PEER, so it skips pairs already related otherwise.
    related = set(
        Endorsement.objects.filter(endorser_id__in=endorsers)
        .exclude(relationship="PEER")
        .values_list("endorser_id", "member_id")
    )
    plan: list[tuple[int, str, str]] = []
    rng.shuffle(listings)
    for i, (member_id, username, skill_id, skill_name) in enumerate(listings):
        endorser = endorsers[i % len(endorsers)]
        if (endorser, member_id, skill_id) not in done and (endorser, member_id) not in related:
            plan.append((endorser, username, skill_name))
        if len(plan) == count:
            break
    return plan


def _cookies(user_ids: set[int]) -> dict[int, str]:
    from django.test import Client

    from profiles.models import User

    out = {}
    for user in User.objects.filter(pk__in=user_ids):
        client = Client()
        client.force_login(user)
        out[user.pk] = client.cookies["sessionid"].value
    return out


def _in_process(ctx: BenchContext) -> Result:
    """The `endorse` service called in this process, one transaction each (what the GraphQL mutation runs),
    vs one bare single-row INSERT of the same rows; then the deferred settling jobs (trust push, cascade) the
    mutations enqueued, run by a worker batch, timed apart."""
    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext

    from endorsements.models import Endorsement
    from endorsements.services import endorse as endorse_service
    from jobs.testing import run_worker_batch
    from profiles.models import User

    plan = _plan(ctx.scaled(300, minimum=30) + 5)
    users = User.objects.in_bulk({e for e, _, _ in plan})
    warm = 5
    for endorser, member, skill in plan[:warm]:
        endorse_service(users[endorser], member=member, skill=skill, relationship="PEER")
    reset_queries()  # the log is capped: a full one would count nothing
    with CaptureQueriesContext(connection) as queries:
        endorser, member, skill = plan[warm]
        endorse_service(users[endorser], member=member, skill=skill, relationship="PEER")
    samples = []
    for endorser, member, skill in plan[warm + 1 :]:
        start = time.perf_counter()
        endorse_service(users[endorser], member=member, skill=skill, relationship="PEER")
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    made = list(
        Endorsement.objects.filter(endorser_id__in=set(users))
        .order_by("-id")[: len(samples)]
        .values_list("endorser_id", "member_id", "member_skill_id", "skill_id", "weight")
    )
    # The floor: the same rows by bare INSERTs, each committed, into a plain (logged, not temporary: a commit
    # costs what it costs the real table) scratch table of the same columns; the real rows exist already.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_endorse_floor AS SELECT endorser_id, member_id, member_skill_id, skill_id,"
            " weight FROM endorsements_endorsement WHERE 1 = 0"
        )
        insert_samples = []
        for row in made:
            start = time.perf_counter()
            cursor.execute("INSERT INTO bench_endorse_floor VALUES (%s, %s, %s, %s, %s)", row)
            insert_samples.append((time.perf_counter() - start) * 1000)
        cursor.execute("DROP TABLE bench_endorse_floor")
    insert_samples.sort()
    jobs_start = time.perf_counter()
    run_worker_batch()
    jobs_ms = (time.perf_counter() - jobs_start) * 1000
    median = samples[len(samples) // 2]
    return Result(
        "endorse: ms per mutation in-process (service, one transaction, jobs deferred)",
        round(median, 2),
        "ms",
        round(insert_samples[len(insert_samples) // 2], 3),
        "bare single-row INSERT of the same row, autocommit (median)",
        {
            "mutations": len(samples),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
            "goal_ms": 10,
            "queries_per_mutation": len(queries.captured_queries),
            "settle_jobs_ms_each": round(jobs_ms / max(1, len(plan) - 1), 2),
        },
    )


@benchmark("endorse")
def endorse(ctx: BenchContext) -> list[Result]:
    from endorsements.models import Endorsement
    from endorsements.scoring import recompute_member_skills

    network(ctx)
    in_process = _in_process(ctx)
    count = ctx.scaled(300, minimum=30)
    plan = _plan(count)
    cookies = _cookies({e for e, _, _ in plan})
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret in the header
    http = httpx.Client(base_url=server().url, timeout=60)
    started_at = time.time()

    def one(endorser: int, member: str, skill: str) -> None:
        response = http.post(
            "/graphql/",
            content=json.dumps(
                {"query": ENDORSE, "variables": {"input": {"member": member, "skill": skill, "relationship": "PEER"}}}
            ),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": csrf,
                "Cookie": f"sessionid={cookies[endorser]}; csrftoken={csrf}",
            },
        )
        body = response.json()
        payload = (body.get("data") or {}).get("endorse") or {}
        if response.status_code != 200 or body.get("errors") or payload.get("errors"):
            raise RuntimeError(f"endorse failed: {response.status_code} {str(body)[:500]}")

    warm = 5
    for row in plan[:warm]:
        one(*row)
    start = time.perf_counter()
    for row in plan[warm:]:
        one(*row)
    mutation_s = time.perf_counter() - start
    n = len(plan) - warm
    http.close()

    # The same rows by bare INSERTs (autocommit: one transaction each, like each mutation).
    columns = (
        "endorser_id",
        "member_id",
        "member_skill_id",
        "skill_id",
        "relationship",
        "comment",
        "weight",
        "weight_inputs",
        "explanation",
        "from_established",
        "hidden",
        "created_at",
        "weighed_at",
    )
    made = list(
        Endorsement.objects.filter(created_at__gte=_aware(started_at - 1), endorser_id__in=set(cookies))
        .order_by("id")
        .values_list(*columns)
    )[warm:]
    ids = list(
        Endorsement.objects.filter(created_at__gte=_aware(started_at - 1), endorser_id__in=set(cookies))
        .order_by("id")
        .values_list("id", flat=True)
    )[warm:]
    Endorsement.objects.filter(pk__in=ids).delete()
    # Columns added to the model since (NOT NULL, with a model default) take that default, as the services write it.
    extra = _model_defaults("endorsements_endorsement", columns)
    columns = (*columns, *(c for c, _ in extra))
    sql = f"INSERT INTO endorsements_endorsement ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    rows = [
        (
            *r[:7],
            json.dumps(r[7]),
            *r[8:11],
            connection.ops.adapt_datetimefield_value(r[11]),
            connection.ops.adapt_datetimefield_value(r[12]),
            *(v for _, v in extra),
        )
        for r in made
    ]
    with connection.cursor() as cursor:
        start = time.perf_counter()
        for row in rows:
            cursor.execute(sql, row)
        insert_s = time.perf_counter() - start
    recompute_member_skills({r[2] for r in made})
    return [
        in_process,
        Result(
            "endorse: mutations per second (GraphQL over HTTP, sequential)",
            n / mutation_s,
            "/s",
            len(rows) / insert_s,
            "bare single-row INSERTs of the same rows, autocommit",
            {
                "mutations": n,
                "ms_per_mutation": round(mutation_s / n * 1000, 2),
                "ms_per_insert": round(insert_s / max(1, len(rows)) * 1000, 3),
                "goal_per_s": 80,
            },
        ),
    ]


def _aware(ts: float):
    from datetime import datetime

    return datetime.fromtimestamp(ts, tz=UTC)

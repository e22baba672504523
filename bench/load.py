"""The system under concurrent load: `bin/serve-prod` with 1 and then 2 web workers, 16 clients, 30 s.

As a busy network uses it: each client loops, choosing by weight a profile page read (`/m/<username>/`
of a random seeded member, 50%), a search (GraphQL `members(skill:)` of a random skill or
`members(search:)` of a name, 25%) or an endorsement (the `endorse` mutation by a signed-in member, with
session cookie and CSRF token as a browser sends them, each one new, 25%). Figures per worker count:
throughput, p50/p95 per operation, and errors (any non-2xx, GraphQL error or payload error) — the run
fails if there is one. The scaling row divides the 2-worker throughput by the 1-worker one, measured
in the same run; on this 2-core machine the load generator (this process) shares the cores with the
workers and PostgreSQL, so the ratio is a floor of what two machines' worth of workers give.

Needs PostgreSQL (several processes share the database) and, for 2 workers, REDIS_URL; without Redis
only the 1-worker row is measured (and says so). LOAD_SECONDS and LOAD_CLIENTS change the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from django.db import connection

from bench import BenchContext, Result, benchmark
from bench.datasets import network
from bench.endorse import ENDORSE, _cookies, _plan
from bench.live import ROOT, database_env

SEARCH_SKILL = "query($s: String!) { members(skill: $s, first: 20) { totalCount edges { node { username } } } }"
SEARCH_TEXT = "query($q: String!) { members(search: $q, first: 20) { totalCount edges { node { username } } } }"
MIX = [("profile", 50), ("search", 25), ("endorse", 25)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Deployment:
    def __init__(self, workers: int, env: dict[str, str]) -> None:
        self.workers, self.env, self.port = workers, env, _free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="vouch-load-", suffix=".log", delete=False)  # noqa: SIM115 - kept open for the server's life, closed in __exit__
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Deployment:
        command = [
            sys.executable,
            "bin/serve-prod",
            "--workers",
            str(self.workers),
            "--port",
            str(self.port),
            "--no-setup",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve-prod exited: {Path(self.log.name).read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"serve-prod not ready: {Path(self.log.name).read_text()[-3000:]}")

    def __exit__(self, *exc: object) -> None:
        self.log.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def _drive(base: str, seconds: float, clients: int, work: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(7)
    ops = [name for name, weight in MIX for _ in range(weight)]
    latencies: dict[str, list[float]] = {name: [] for name, _ in MIX}
    errors: list[str] = []
    plan: list[tuple[int, str, str]] = work["plan"]
    csrf = work["csrf"]
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while time.monotonic() < deadline:
                op = rng.choice(ops)
                if op == "endorse" and not plan:
                    op = "profile"
                start = time.perf_counter()
                try:
                    if op == "profile":
                        response = await http.get(f"/m/{rng.choice(work['usernames'])}/")
                        ok = response.status_code == 200
                        detail = str(response.status_code)
                    else:
                        if op == "search":
                            if rng.random() < 0.5:
                                body = {"query": SEARCH_SKILL, "variables": {"s": rng.choice(work["skills"])}}
                            else:
                                body = {"query": SEARCH_TEXT, "variables": {"q": rng.choice(work["names"])}}
                            headers = {"Content-Type": "application/json"}
                        else:
                            endorser, member, skill = plan.pop()
                            body = {
                                "query": ENDORSE,
                                "variables": {"input": {"member": member, "skill": skill, "relationship": "PEER"}},
                            }
                            headers = {
                                "Content-Type": "application/json",
                                "X-CSRFToken": csrf,
                                "Cookie": f"sessionid={work['cookies'][endorser]}; csrftoken={csrf}",
                            }
                        response = await http.post("/graphql/", content=json.dumps(body), headers=headers)
                        data = response.json() if response.status_code == 200 else {}
                        payload = (data.get("data") or {}).get("endorse") or {}
                        ok = response.status_code == 200 and not data.get("errors") and not payload.get("errors")
                        detail = f"{response.status_code} {str(data)[:200]}"
                except httpx.HTTPError as exc:
                    ok, detail = False, f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - start) * 1000
                if ok:
                    latencies[op].append(elapsed)
                else:
                    errors.append(f"{op}: {detail}")

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    wall = time.monotonic() - started
    total = sum(len(v) for v in latencies.values())
    return {"wall": wall, "throughput": total / wall, "latencies": latencies, "errors": errors}


def _quantiles(samples: list[float]) -> tuple[float, float]:
    if not samples:
        return 0.0, 0.0
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


@benchmark("load")
def load(ctx: BenchContext) -> list[Result]:
    from profiles.models import User
    from skills.models import Skill

    if connection.vendor != "postgresql":
        print("   skipped: the load run needs PostgreSQL (several server processes share the database)")
        return []
    network(ctx)
    seconds = float(os.environ.get("LOAD_SECONDS", "30"))
    clients = int(os.environ.get("LOAD_CLIENTS", "16"))
    redis_url = os.environ.get("REDIS_URL", "")
    prefix = f"vouch-load-{uuid.uuid4().hex[:8]}"
    static_root = tempfile.mkdtemp(prefix="vouch-load-static-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST_"))}
    env.update(database_env())
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": static_root,
            "SEED_DEMO": "0",
            "ENDORSEMENTS_PER_DAY": "1000000",
            "ENDORSEMENT_REQUESTS_PER_DAY": "1000000",
            "CHANNEL_PREFIX": prefix,
            "CACHE_PREFIX": prefix,
            "PYTHONUNBUFFERED": "1",
        }
    )
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    usernames = list(
        User.objects.filter(profile__visibility="PUBLIC").order_by("?").values_list("username", flat=True)[:2000]
    )
    skills = list(Skill.objects.order_by("id").values_list("name", flat=True)[:200])
    names = ["member m00012", "m0001", "Member M0045", "bench corp", "engineer", "membr m00123"]
    csrf = secrets.token_hex(16)
    plan = _plan(4000)
    cookies = _cookies({e for e, _, _ in plan})
    counts = [1, 2] if redis_url else [1]
    results: list[Result] = []
    runs: dict[int, dict[str, Any]] = {}
    for workers in counts:
        work = {
            "usernames": usernames,
            "skills": skills,
            "names": names,
            "csrf": csrf,
            "cookies": cookies,
            "plan": plan,
        }
        with Deployment(workers, env) as deployment:
            for _ in range(20):  # warm every worker's caches (parse cache, connection pool)
                httpx.get(f"{deployment.url}/m/{usernames[0]}/", timeout=30)
            run = asyncio.run(_drive(deployment.url, seconds, clients, work))
        runs[workers] = run
        per_op = {}
        for op, samples in run["latencies"].items():
            p50, p95 = _quantiles(samples)
            per_op[f"{op}_n"] = len(samples)
            per_op[f"{op}_p50_ms"] = round(p50, 1)
            per_op[f"{op}_p95_ms"] = round(p95, 1)
        extra = {"clients": clients, "seconds": seconds, "errors": len(run["errors"]), **per_op}
        if run["errors"]:
            extra["first_errors"] = run["errors"][:5]
        results.append(
            Result(
                f"load: {workers} web worker(s), {clients} clients, mixed, throughput",
                round(run["throughput"], 1),
                "req/s",
                None,
                "",
                extra,
            )
        )
        print(
            f"   {workers} worker(s): {run['throughput']:.1f} req/s, errors {len(run['errors'])}, {per_op}", flush=True
        )
    if 2 in runs:
        results.append(
            Result(
                "load: scaling, 2 workers vs 1 (same run)",
                round(runs[2]["throughput"], 1),
                "req/s",
                round(runs[1]["throughput"], 1),
                "1 worker",
                {},
            )
        )
    else:
        results.append(Result("load: scaling", 0.0, "req/s", None, "", {"note": "no REDIS_URL: 1 worker only"}))
    failed = {w: r["errors"][:5] for w, r in runs.items() if r["errors"]}
    if failed:
        raise RuntimeError(f"errors under load (none are allowed): {failed}")
    return results

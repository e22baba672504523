"""Several workers, started as docs/deploy.md says (bin/serve-prod, DEBUG off, PostgreSQL + Redis), driven from
outside over HTTP and websockets:

- a mutation served by worker A reaches a socket held by worker B; a session made on one is valid on the other
  (sessions in the database);
- rate limits are shared (allauth's counters in the Redis cache): failed logins on A lock the account on B, sign-ups
  spread over both hit 429 together;
- static files come from whitenoise with the manifest built by the one collectstatic;
- the shared-socket mode: one port, several worker processes, a killed worker is replaced.

Needs PostgreSQL and Redis (`postgres`, `redis_url` fixtures: skipped locally without them, a failure under CI).
tests/test_ws_live_servers.py proves cross-process delivery more thoroughly (two tabs, a management command, mark
read) with the development settings; this file proves the production command.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.live_server import ROOT, WebSocket, manage, postgres_env, server_env

pytestmark = [pytest.mark.timeout(180), pytest.mark.django_db(transaction=True), pytest.mark.redis]

HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front adds
APP = "/_allauth/app/v1"
PASSWORD = "correct-horse-battery-9"  # profiles.tests.factories.PASSWORD

SETUP = """
import json
from django.test import Client
from profiles.tests.factories import make_member
from skills.services import add_skill

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

maria = make_member("maria", display_name="Maria Manager")
ana = make_member("ana", display_name="Ana Lima")
add_skill(ana, name="Kubernetes")
print(json.dumps({"maria": session(maria), "ana": session(ana)}))
"""
ENDORSE = "mutation($input: EndorseInput!) { endorse(input: $input) { endorsement { id } errors { code } } }"


def _free_ports(count: int) -> int:
    """The first of `count` consecutive free ports."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count >= 65535:
            continue
        taken = []
        try:
            for port in range(first, first + count):
                probe = socket.socket()
                taken.append(probe)
                probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for probe in taken:
                probe.close()
    raise RuntimeError("no consecutive free ports")


class Deployment:
    """bin/serve-prod in a subprocess, against this test's PostgreSQL database and a Redis namespace of its own."""

    def __init__(self, tmp_path: Path, redis_url: str, *, workers: int, ports: bool) -> None:
        from django.db import connection

        prefix = f"vouch-mw-{uuid.uuid4().hex[:8]}"
        self.env = server_env(
            postgres_env(connection.settings_dict),
            redis_url=redis_url,
            channel_prefix=prefix,
            extra={
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "1",
                "JOBS_BACKEND": "database",  # serve-prod starts real job workers
                "STATIC_ROOT": str(tmp_path / "static"),
                "CACHE_PREFIX": prefix,
                "MEDIA_ROOT": str(tmp_path / "media"),
            },
        )
        self.workers, self.ports = workers, ports
        self.port = _free_ports(workers if ports else 1)
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.log_path = tmp_path / "serve-prod.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, worker: int = 0) -> str:
        return f"http://127.0.0.1:{self.port + (worker if self.ports else 0)}"

    def ws(self, worker: int = 0, path: str = "/ws/notifications/") -> str:
        return self.url(worker).replace("http://", "ws://") + path

    def start(self, timeout: float = 90) -> Deployment:
        command = [sys.executable, "bin/serve-prod", "--workers", str(self.workers), "--port", str(self.port)]
        if self.ports:
            command.append("--ports")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        pending = set(range(self.workers if self.ports else 1))
        while pending and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve-prod exited:\n{self.output()}")
            for worker in list(pending):
                try:
                    if httpx.get(f"{self.url(worker)}/healthz", timeout=2).status_code == 200:
                        pending.discard(worker)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        if pending:
            raise RuntimeError(f"workers {sorted(pending)} not ready:\n{self.output()}")
        return self

    def children(self, kind: str = "web") -> list[int]:
        """The supervisor's web workers (daphne), or its job workers (`kind="jobs"`, manage.py run_jobs)."""
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = []
        for pid in (int(p) for p in path.read_text().split()):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if (b"run_jobs" in command) == (kind == "jobs"):
                pids.append(pid)
        return pids

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""


@pytest.fixture
def deploy(tmp_path, postgres, redis_url):
    started: list[Deployment] = []

    def start(*, workers: int = 2, ports: bool = True) -> Deployment:
        deployment = Deployment(tmp_path / f"d{len(started)}", redis_url, workers=workers, ports=ports)
        started.append(deployment)
        return deployment.start()

    yield start
    for deployment in started:
        deployment.stop()


def login(base: str, email: str, password: str) -> httpx.Response:
    return httpx.post(f"{base}{APP}/auth/login", json={"email": email, "password": password}, headers=HTTPS, timeout=30)


async def test_two_workers_share_sockets_sessions_and_static_files(deploy):
    d = deploy(workers=2, ports=True)
    sessions = json.loads(manage(d.env, "shell", "-c", SETUP).strip().splitlines()[-1])

    # DEBUG off as served: plain HTTP is redirected to https (except /healthz for the balancer's probes).
    assert httpx.get(f"{d.url(0)}/", timeout=10).status_code == 301
    # A session made by worker A's process is valid on worker B: sessions live in the database.
    page = httpx.get(f"{d.url(1)}/settings/", cookies={"sessionid": sessions["ana"]}, headers=HTTPS, timeout=30)
    assert page.status_code == 200 and "Ana Lima" in page.text

    # The socket is held by worker B; the mutation is served by worker A.
    tab = await WebSocket.connect(d.ws(1), cookie=sessions["ana"])
    assert await tab.receive_json() == {"type": "unread", "count": 0}
    # The balancer's probe of a worker holding an idle socket (vouch/health.py waited on the socket's receive lock).
    for _ in range(3):
        health = httpx.get(f"{d.url(1)}/healthz", timeout=10)
        assert health.status_code == 200, health.text
    body = httpx.post(
        f"{d.url(0)}/graphql/",
        json={
            "query": ENDORSE,
            "variables": {"input": {"member": "ana", "skill": "Kubernetes", "relationship": "MANAGER"}},
        },
        headers={**HTTPS, "X-Session-Token": sessions["maria"]},
        timeout=30,
    ).json()
    assert body["data"]["endorse"]["errors"] == [], body
    frame = await tab.receive_json()
    assert frame["type"] == "notification" and frame["notification"]["kind"] == "endorsement.received"
    assert await tab.receive_json() == {"type": "unread", "count": 1}
    await tab.close()

    # Static files: one collectstatic (manifest + compressed copies), served by whitenoise on every worker.
    css = re.search(r'href="(/static/frontend/vouch\.[0-9a-f]{12}\.css)"', page.text)
    assert css, page.text[:1000]
    for worker in (0, 1):
        asset = httpx.get(f"{d.url(worker)}{css.group(1)}", headers={**HTTPS, "Accept-Encoding": "gzip"}, timeout=10)
        assert asset.status_code == 200
        assert "immutable" in asset.headers["cache-control"]
        assert asset.headers.get("content-encoding") == "gzip"


def test_rate_limits_are_shared_between_workers(deploy):
    d = deploy(workers=2, ports=True)
    manage(d.env, "shell", "-c", SETUP)
    a, b = d.url(0), d.url(1)

    # Failed logins against maria's account: 3 on A, 2 on B; the next attempt is refused on A (too).
    for base in (a, a, a, b, b):
        response = login(base, "maria@example.com", "not-her-password")
        assert response.status_code == 400 and response.json()["errors"][0]["code"] == "email_password_mismatch"
    for base in (a, b):
        locked = login(base, "maria@example.com", PASSWORD)
        assert locked.status_code == 400, locked.text
        assert locked.json()["errors"][0]["code"] == "too_many_login_attempts"
    # ana's account is not locked.
    assert login(b, "ana@example.com", PASSWORD).status_code == 200

    # Sign-ups from one address, alternating between the workers: the 21st is refused, whichever worker serves it.
    for n in range(20):
        response = httpx.post(
            f"{(a, b)[n % 2]}{APP}/auth/signup",
            headers=HTTPS,
            timeout=30,
            json={"email": f"new{n}@example.com", "password": "a-long-unusual-passphrase-42"},
        )
        assert response.status_code == 401, response.text  # created, e-mail verification pending
    for base in (a, b):
        response = httpx.post(
            f"{base}{APP}/auth/signup",
            headers=HTTPS,
            timeout=30,
            json={"email": "one-more@example.com", "password": "a-long-unusual-passphrase-42"},
        )
        assert response.status_code == 429


async def test_shared_socket_mode_serves_one_port_with_several_supervised_workers(deploy):
    d = deploy(workers=2, ports=False)
    sessions = json.loads(manage(d.env, "shell", "-c", SETUP).strip().splitlines()[-1])
    workers = d.children()
    assert len(workers) == 2, d.output()

    # Several sockets over the one port (the kernel hands each to a worker); every one hears the mutation.
    tabs = [await WebSocket.connect(d.ws(), cookie=sessions["ana"]) for _ in range(6)]
    for tab in tabs:
        assert await tab.receive_json() == {"type": "unread", "count": 0}
    body = httpx.post(
        f"{d.url()}/graphql/",
        json={
            "query": ENDORSE,
            "variables": {"input": {"member": "ana", "skill": "Kubernetes", "relationship": "PEER"}},
        },
        headers={**HTTPS, "X-Session-Token": sessions["maria"]},
        timeout=30,
    ).json()
    assert body["data"]["endorse"]["errors"] == [], body
    for tab in tabs:
        assert (await tab.receive_json())["notification"]["kind"] == "endorsement.received"
        await tab.close()

    # A worker that dies is replaced; the port keeps answering meanwhile.
    os.kill(workers[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        current = d.children()
        if len(current) == 2 and workers[0] not in current:
            break
        time.sleep(0.2)
    assert len(d.children()) == 2 and workers[0] not in d.children(), d.output()
    for _ in range(10):
        health = httpx.get(f"{d.url()}/healthz", timeout=10)
        assert health.status_code == 200, (health.text, d.output())

    # The job worker serve-prod started beside them (--job-workers, default 1) is seen by /healthz; one killed
    # outright is replaced too.
    (job_worker,) = d.children("jobs")
    assert httpx.get(f"{d.url()}/healthz", timeout=10).json()["queue"]["workers"] >= 1
    os.kill(job_worker, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (d.children("jobs") in ([], [job_worker])):
        time.sleep(0.2)
    assert len(d.children("jobs")) == 1 and job_worker not in d.children("jobs"), d.output()


def test_more_than_one_worker_without_redis_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "bin/serve-prod", "--workers", "2", "--no-setup"],
        cwd=ROOT,
        env={**env, "DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "needs REDIS_URL" in result.stderr


def _server_connections(database: str, application: str) -> int:
    """Connections to the test database opened by the server's processes (libpq's PGAPPNAME names them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            [database, application],
        )
        return int(cursor.fetchone()[0])


def test_connections_stay_bounded_by_the_pool_under_concurrent_requests(tmp_path, postgres, redis_url):
    """16+ concurrent clients on one worker: every answer is a 200 and the worker never holds more
    PostgreSQL connections than its pool (it held 85-90 with per-thread persistent connections and
    PostgreSQL answered "too many clients": 500s)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    d = Deployment(tmp_path / "pool", redis_url, workers=1, ports=False)
    application = f"vouch-pool-{uuid.uuid4().hex[:8]}"
    # JOB_WORKERS=0: only the web worker's connections are counted here (a job worker has a pool of its own).
    d.env.update({"DB_POOL_MIN_SIZE": "1", "DB_POOL_MAX_SIZE": "4", "PGAPPNAME": application, "JOB_WORKERS": "0"})
    d.start()
    manage(d.env, "shell", "-c", SETUP)
    database = connection.settings_dict["NAME"]
    peak, done = [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _server_connections(database, application))
            connection.close()
            time.sleep(0.02)

    def fetch(n: int) -> int:
        path = ("/m/ana/", "/graphql/?query=%7Bmembers(first%3A5)%7BtotalCount%7D%7D", "/healthz")[n % 3]
        return httpx.get(f"{d.url()}{path}", headers={**HTTPS, "Accept": "application/json"}, timeout=60).status_code

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=24) as pool:
            statuses = list(pool.map(fetch, range(240)))
    finally:
        done.set()
        watcher.join()
        d.stop()
    assert statuses.count(200) == len(statuses), sorted(set(statuses))
    assert 1 <= peak[0] <= 4, peak[0]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_serve_prod_restarts_on_the_same_port_at_once(tmp_path, postgres, redis_url):
    """Stopped (SIGTERM) or killed outright (SIGKILL: its workers must not outlive it and keep the port),
    serve-prod starts again on the same port straight away."""
    first = Deployment(tmp_path / "a", redis_url, workers=1, ports=False).start()
    assert httpx.get(f"{first.url()}/healthz", timeout=10).status_code == 200
    first.stop()
    again = Deployment(tmp_path / "b", redis_url, workers=1, ports=False)
    again.port = first.port
    again.start()
    assert httpx.get(f"{again.url()}/healthz", timeout=10).status_code == 200
    workers = again.children()
    assert again.process is not None
    again.process.kill()
    again.process.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its supervisor"
    last = Deployment(tmp_path / "c", redis_url, workers=1, ports=False)
    last.port = first.port
    try:
        last.start()
        assert httpx.get(f"{last.url()}/healthz", timeout=10).status_code == 200
    finally:
        last.stop()
